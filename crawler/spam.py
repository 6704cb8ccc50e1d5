"""Casino / lottery / SEO text injected into hacked or mirrored government pages."""
from __future__ import annotations

import re

# Gambling brands: no government report names them, so they count on their own.
_BRANDS = [
    "立博", "六宝典", "威尼斯人", "新葡京", "澳门葡京", "葡京娱乐", "太阳城", "皇冠体育", "亚博体育", "开云体育",
    "乐鱼体育", "澳门银河", "金沙娱乐", "银河娱乐", "永利娱乐", "bet365", "188bet", "必威", "威廉希尔", "沙巴体育",
    "bob体育", "九游会", "ag真人", "半岛体育", "星空体育", "华体会", "ky棋牌", "开元棋牌", "pg电子", "博狗", "娱乐城",
    "真人视讯", "北京pk10",
]
# Gambling words: a public-security or culture-market report may well say 打击网络博彩 or 查处老虎机,
# and 福利彩票公益金 is ordinary, so these count only as an advertisement ("博彩平台", "彩票app下载").
_WORDS = ["博彩", "百家乐", "六合彩", "时时彩", "北京赛车", "老虎机", "棋牌", "赌场", "足彩", "体育投注", "彩票", "电子游艺"]
# what only an advertisement says (平台 or app alone also name legitimate things: 互联网彩票平台)
_AD = r"(?:(?:平台|app|APP|App)?(?:网址|官网|官方网站|下载|注册|登录|登陆|入口|开户|手机版))"
_BRAND_AD = r"(?:平台网址|平台|官网|官方网站|网址|网站|app|APP|App|下载|注册|登录|登陆|入口|开户|手机版|首页|娱乐城|娱乐场|娱乐|投注)"


# Lottery spam ("香港六合彩资料大全", "新澳门精准资料大全免费", "管家婆一码一肖") written in place of an
# agency's name: a lottery's name with what only a tipster site sells. No report says these.
_LOTTERIES = r"(?:新?澳门|香港|澳彩|港彩|六合彩|管家婆|白小姐|马会|天天彩)"
_TIPS = r"(?:资料大全|免费资料|精准资料|正版资料|开奖结果|开奖记录|开奖直播|开奖号码|特马|一肖一码|一码一肖|挂牌|内部资料|彩图|传真)"
_LOTTERY = rf"(?:{_LOTTERIES}\w{{0,8}}?{_TIPS}(?:{_TIPS}|免费|大全|最新|最准|精准)*|(?:免费|最新)?资料大全|一肖一码|一码一肖)"


def _alternation(terms: list[str]) -> str:
    return "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))


# One injected phrase: "立博平台,立博官网:" — terms with their ad words, repeated and joined by commas.
_PHRASE = re.compile(
    rf"(?:(?:{_alternation(_BRANDS)})\w{{0,4}}?{_BRAND_AD}*[,，、\s]*)+(?:[:：])?"
    rf"|(?:(?:{_alternation(_WORDS)})\w{{0,5}}?{_AD}+[,，、\s]*)+(?:[:：])?"
    rf"|(?:{_LOTTERY}(?:[,，、\s_|]|-(?!\d))*)+",
    re.I,
)


# What every phrase _PHRASE matches must hold: a brand, a gambling word, a lottery's name (澳门 for
# 新澳门) or a tipster's 资料大全 / 一肖一码 / 一码一肖. Keep in step with the lists above. Lower case,
# as _PHRASE ignores case; a text holding none of them (nearly every page) is not searched.
_TRIGGERS = tuple(dict.fromkeys(term.lower() for term in [
    *_BRANDS, *_WORDS, "澳门", "香港", "澳彩", "港彩", "六合彩", "管家婆", "白小姐", "马会", "天天彩",
    "资料大全", "一肖一码", "一码一肖"]))


def _may_hold_spam(text: str) -> bool:
    lowered = text.lower()
    return any(term in lowered for term in _TRIGGERS)


def find_spam(text: str) -> list[str]:
    """The distinct injected phrases, most frequent first."""
    if not _may_hold_spam(text):
        return []
    counts: dict[str, int] = {}
    for m in _PHRASE.finditer(text):
        phrase = m.group(0).strip(" ,，、:：\n")
        if phrase:
            counts[phrase] = counts.get(phrase, 0) + 1
    return sorted(counts, key=counts.get, reverse=True)


def strip_spam(text: str) -> str:
    return _PHRASE.sub("", text) if _may_hold_spam(text) else text
