"""Text made safe to print, store and open in a spreadsheet: no lone surrogates, no formulas."""
from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")
# A spreadsheet runs a cell starting with these as a formula (=HYPERLINK(...), +cmd|..., @SUM ...).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def without_surrogates(text: str) -> str:
    """Lone surrogates (from utf-7, broken UTF-16, PDF text maps) cannot be encoded as UTF-8:
    printing or storing them fails. They become U+FFFD like any other undecodable character."""
    if text.isascii():
        return text
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def scrub(value):
    """without_surrogates on every string of a JSON-like value (keys included)."""
    if isinstance(value, str):
        return without_surrogates(value)
    if isinstance(value, dict):
        # the tables' figures (most of a report's values) are returned as they are without a call
        return {without_surrogates(k) if type(k) is str else scrub(k): v if v is None or type(v) is int else scrub(v)
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub(v) for v in value]
    return value


def spreadsheet_cell(value):
    """A text cell that a spreadsheet would run as a formula is prefixed with an apostrophe;
    numbers (and text that is just a number, such as -5) are left alone."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value
