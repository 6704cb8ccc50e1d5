"""Text normalising: script, pinyin debris, width, spaces, site chrome lines."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .schema import Flag, flag

CJK = "\u4e00-\u9fff\u3400-\u4dbf"
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
# 規(guī), 網（wǎng）: a Han character followed by its pinyin with a tone mark. (The bracket comes
# first and the Han character is looked behind from it: a search then stops at brackets only.)
_PINYIN_GLOSS = re.compile(rf"[(（](?<=[{CJK}][(（])\s*[a-z{_TONED}]*[{_TONED}][a-z{_TONED}]*\s*[)）]")
_SPACE_IN_WORD = re.compile(rf"[ \t](?<=[{CJK}][ \t])[ \t]*(?=[{CJK}])")
# Site chrome: a line holding one of these words anywhere, or starting with one of those buttons
# or labels (two patterns, so that the first can skip to its few first characters).
_CHROME_ANYWHERE = re.compile(
    r"ICP\s*备|ICP备案|公网安备|网站标识码|版权所有|主办单位|承办单位|技术支持|网站地图|联系我们|"
    r"您当前(的)?位置|当前位置[:：]"
)
_CHROME_START = re.compile(
    r"\s*(打印|关闭|打印本页|关闭窗口|【打印】|【关闭】|收藏|分享到)(\s|$)|\s*首页\s*[>›»]|"
    r"\s*(联系电话|电话|传真|邮编|地址|邮箱|浏览次数|访问量|阅读次数)[:：][^。]{0,60}$"
)
# 打印 关闭 / [打印本页] [关闭窗口] lines that hold nothing else.
_BUTTONS_ONLY = re.compile(r"^[\s【\[]*(打印|关闭|打印本页|关闭窗口|返回顶部|字体|[\]】\s:：])+$")


@lru_cache(maxsize=1)
def _t2s():
    import opencc
    return opencc.OpenCC("t2s")


def strip_pinyin_glosses(text: str) -> tuple[str, int]:
    if "(" not in text and "（" not in text:     # a gloss is bracketed: most fragments have none
        return text, 0
    return _PINYIN_GLOSS.subn("", text)


_NOT_HAN = re.compile("[^\u4e00-\u9fff]+")


def traditional_share(text: str) -> float:
    """Share of Han characters that the Traditional→Simplified table changes."""
    sample = _NOT_HAN.sub("", text[:12000])[:4000]
    if not sample:
        return 0.0
    converted = _t2s().convert(sample)
    if converted == sample:         # Simplified text: nothing to count
        return 0.0
    changed = sum(1 for a, b in zip(sample, converted) if a != b)
    return changed / len(sample)


def to_simplified(text: str) -> str:
    return _t2s().convert(text)


def normalise_width(text: str) -> str:
    # NFKC folds full-width digits, letters, punctuation and U+3000/NBSP to ASCII.
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.replace("\u200b", "").replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n")


def join_split_words(text: str) -> str:
    """'商业 企业' → '商业企业': spaces between Han characters are layout debris."""
    return _SPACE_IN_WORD.sub("", text) if " " in text or "\t" in text else text


def drop_chrome_lines(text: str) -> str:
    return "\n".join(line for line in text.split("\n")
                     if not (_CHROME_ANYWHERE.search(line) or _CHROME_START.match(line) or _BUTTONS_ONLY.match(line)))


def normalise_fragment(text: str, traditional: bool) -> str:
    """The repairs every piece of a page gets (title, table cell, metadata) once the page's
    script is known."""
    if text.isascii():      # most table cells are plain figures
        return text
    text, _ = strip_pinyin_glosses(text)
    if traditional:
        text = to_simplified(text)
    return join_split_words(normalise_width(text))


def clean_text(text: str) -> tuple[str, list[Flag]]:
    """Normalise report text; returns the text and the flags describing what was repaired."""
    flags = []
    stripped, glosses = strip_pinyin_glosses(text)
    if glosses:
        first = _PINYIN_GLOSS.search(text)
        example = text[first.start() - 1:first.end()]
        flags.append(flag("text_artifacts", f"{glosses} inline pinyin glosses removed, e.g. {example}"))
    text = stripped
    # Simplified text still has a few characters OpenCC would touch; real Traditional pages are far above 5%.
    share = traditional_share(text)
    if share > 0.05:
        flags.append(flag("traditional_script", f"{share:.0%} of Han characters were Traditional; converted to Simplified"))
    text = drop_chrome_lines(normalise_fragment(text, traditional=share > 0.05))
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip(), flags
