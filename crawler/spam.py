"""Casino / lottery / SEO text injected into hacked or mirrored government pages."""
from __future__ import annotations

import re

# Brands and terms no government report uses. 彩票 alone is legitimate (福利彩票公益金),
# so it only counts with the words of an advertisement after it.
_SPAM_TERMS = [
    "立博", "六宝典", "博彩", "百家乐", "娱乐城", "真人视讯", "六合彩", "时时彩", "北京赛车", "北京pk10",
    "老虎机", "威尼斯人", "新葡京", "澳门葡京", "太阳城", "皇冠体育", "亚博体育", "开云体育", "乐鱼体育",
    "澳门银河", "金沙娱乐", "银河娱乐", "bet365", "188bet", "必威", "威廉希尔", "沙巴体育", "bob体育",
    "九游会", "ag真人", "电子游艺", "棋牌游戏", "网上赌场", "在线赌场", "赌球", "外围投注", "彩票平台",
    "彩票官网", "彩票app", "购彩", "足彩推荐", "澳门赌场", "半岛体育", "星空体育", "华体会", "ky棋牌",
    "开元棋牌", "pg电子", "捕鱼游戏", "葡京娱乐", "博狗", "永利娱乐", "红包群", "赌博网站",
]
_AD_SUFFIX = r"(?:平台网址|平台|官网|官方网站|网址|网站|app|APP|App|下载|注册|登录|登陆|入口|开户|手机版|首页|娱乐城|娱乐场|娱乐|投注)"
_LOTTERY_AD = r"(?:平台|官网|官方网站|网址|app|APP|App|下载|注册|登录|登陆|入口|开户|手机版)"
_TERM = "|".join(re.escape(t) for t in sorted(_SPAM_TERMS, key=len, reverse=True))
# One injected phrase: "立博平台,立博官网:" — a term with ad words, repeated and joined by commas.
_PHRASE = re.compile(
    rf"(?:(?:{_TERM})[\w]{{0,4}}?{_AD_SUFFIX}*[,，、\s]*)+(?:[:：])?"
    rf"|(?:[\w]{{1,6}}彩票{_LOTTERY_AD}[,，、\s]*)+",
    re.I,
)


def find_spam(text: str) -> list[str]:
    """The distinct injected phrases, most frequent first."""
    counts: dict[str, int] = {}
    for m in _PHRASE.finditer(text):
        phrase = m.group(0).strip(" ,，、:：\n")
        if phrase:
            counts[phrase] = counts.get(phrase, 0) + 1
    return sorted(counts, key=counts.get, reverse=True)


def strip_spam(text: str) -> str:
    return _PHRASE.sub("", text)


def has_spam(text: str) -> bool:
    return _PHRASE.search(text) is not None
