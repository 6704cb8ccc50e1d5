"""Bytes to text. Portals lie about their charset; never crash on bad bytes."""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import chardet

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# Chinese sites declare gb2312/gbk but write gb18030 characters; decode with the superset.
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "utf8": "utf-8",
            "big5": "big5hkscs", "ascii": "utf-8", "us-ascii": "utf-8", "iso-8859-1": "cp1252", "latin-1": "cp1252"}


# Codecs a charset label can name that are no page encoding: they raise UnicodeError on any input
# (undefined, punycode, idna), yield lone surrogates (utf-7) or turn bytes into escapes.
_NOT_PAGE_ENCODINGS = frozenset(("undefined", "punycode", "idna", "utf-7", "unicode-escape", "raw-unicode-escape",
                                 "palmos", "mbcs", "oem"))
_MULTIBYTE = {"utf-8", "gb18030", "big5hkscs", "big5", "euc_jp", "shift_jis", "euc_kr", "cp950", "utf-16-le", "utf-16-be"}


@dataclass
class Decoded:
    text: str
    encoding: str            # what the text was decoded with
    declared: str | None     # what the page or server claimed
    repaired: bool           # the claim was wrong and we re-decoded


def normalise_encoding(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().lower()
    name = _ALIASES.get(name, name)
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    # "base64", "zlib" and "rot13" are codecs too, but not text encodings
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_PAGE_ENCODINGS:
        return None
    return info.name


def declared_encoding(body: bytes, content_type: str | None = None) -> str | None:
    """The charset the HTTP header or, failing that, the page's own <meta> claims."""
    if content_type:
        m = _HEADER_CHARSET.search(content_type)
        if m and normalise_encoding(m.group(1)):
            return normalise_encoding(m.group(1))
    m = _META_CHARSET.search(body[:4096])
    if m:
        return normalise_encoding(m.group(1).decode("ascii", "ignore"))
    return None


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeError, LookupError):     # UnicodeError: a codec that fails as a whole, not at a byte
        return None


def decode_bytes(body: bytes, content_type: str | None = None) -> Decoded:
    for bom, enc in _BOMS:
        if body.startswith(bom):
            return Decoded(body[len(bom):].decode(enc, "replace"), enc, enc, False)
    declared = declared_encoding(body, content_type)
    # Valid multi-byte UTF-8 is almost never an accident, so it beats a GBK claim.
    utf8 = _strict(body, "utf-8")
    if utf8 is not None and not body.isascii():
        return Decoded(utf8, "utf-8", declared, declared not in (None, "utf-8"))
    if declared:
        text = _strict(body, declared)
        if text is not None:
            return Decoded(text, declared, declared, False)
    # Nothing decodes cleanly (a truncated page, a stray byte). UTF-8 with a few bad bytes is
    # still UTF-8: GBK text breaks UTF-8 at nearly every character.
    non_ascii = sum(1 for b in body if b > 127)
    if _replacements(body, "utf-8") * 10 <= non_ascii:
        return Decoded(body.decode("utf-8", "replace"), "utf-8", declared, declared not in (None, "utf-8"))
    # Otherwise the encoding that needs the fewest replacements, the declared one first among equals.
    guess = normalise_encoding((chardet.detect(body[:32_000]) or {}).get("encoding"))
    if guess not in _MULTIBYTE:
        guess = None    # a single-byte codec "decodes" anything without a complaint
    candidates = list(dict.fromkeys(filter(None, (declared, guess, "utf-8", "gb18030", "big5hkscs"))))
    best = min(candidates, key=lambda enc: (_replacements(body, enc), candidates.index(enc)))
    return Decoded(body.decode(best, "replace"), best, declared, declared is not None and best != declared)


def _replacements(body: bytes, encoding: str) -> int:
    try:
        return body.decode(encoding, "replace").count("\ufffd")
    except (UnicodeError, LookupError):
        return len(body)
