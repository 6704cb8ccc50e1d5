"""Which template label a printed label stands for, when it is not printed as the template prints it.

Reports mistype labels ("其他法律行政止公开"), abbreviate them, add or drop words and number them
differently ((三) vs 3．). The tables' own patterns catch the usual forms; this is the fallback: the
closest label of the template by similarity of the bare wording, among the rows that can still
come at that place in the template's order, and only when it is clearly closer than any other.
"""
from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache

# Item numbering and side-label debris in front of a label: "（三）", "3．", "三 2.", "(六)1、".
_NUMBERING = re.compile(r"^(?:[\s(（]*(?:[一二三四五六七八九十]+|\d{1,2})[)）、.．\s]*)+")
_NOISE = re.compile(r"[\s“”\"'‘’「」()（）,，、.．:：;；]")

MIN_RATIO = 0.75      # below this a printed label is not taken for any template label
MIN_MARGIN = 0.1      # the best label must beat the second best by this much


def bare(label: str) -> str:
    """The wording of a label without its numbering, spaces, quotes and punctuation."""
    return _NOISE.sub("", _NUMBERING.sub("", label))


def similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, bare(a), bare(b), autojunk=False).ratio()


def closest_label(text: str, labels: dict[str, str]) -> str | None:
    """The key of the label in `labels` that `text` is a variant of, or None when none is close
    enough or two are about as close."""
    return _closest(bare(text), _bare_labels(tuple(labels.items())))


@lru_cache(maxsize=256)
def _bare_labels(labels: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    # the template's labels are the same few sets on every page: bared once
    return tuple((key, bare(label)) for key, label in labels)


@lru_cache(maxsize=4096)
def _closest(wording: str, labels: tuple[tuple[str, str], ...]) -> str | None:
    if len(wording) < 4:      # "其他", "总计": too short to tell by likeness; the tables' rules place them
        return None
    ranked = []
    for key, label in labels:
        matcher = SequenceMatcher(None, wording, label, autojunk=False)
        # the cheap upper bounds first: most labels are nowhere near (below this none can matter)
        if matcher.real_quick_ratio() >= MIN_RATIO - MIN_MARGIN and matcher.quick_ratio() >= MIN_RATIO - MIN_MARGIN:
            ranked.append((matcher.ratio(), key))
    ranked.sort(reverse=True)
    if not ranked or ranked[0][0] < MIN_RATIO:
        return None
    if len(ranked) > 1 and ranked[0][0] - ranked[1][0] < MIN_MARGIN:
        return None
    return ranked[0][1]
