"""Links that hide outside <a href>: in inline scripts, behind javascript:/onclick handlers, and in
JSON or XML list answers. Not a platform of its own: the reader of last resort before a browser.
It makes no requests of its own, so it has no read_listing."""
from __future__ import annotations

import json
import re
from urllib.parse import urljoin

from lxml import etree

from ..extract import element_text, parse_html
from . import Entry, Listing

NAME = "generic"

# Field names that hold an article's address and its title, in JSON, XML and script objects
# (lower case; TRS writes DOCPUBURL/DOCTITLE, others url/title, link/name, …), most telling first.
URL_KEYS = ("url", "docpuburl", "puburl", "linkurl", "link", "href", "pageurl", "detailurl", "art_url", "infourl",
            "docurl", "chnldocurl", "path")
TITLE_KEYS = ("title", "doctitle", "maintitle", "infotitle", "subject", "name", "text", "label", "wjbt")
# TRS-style lists written as parallel script arrays: urls[0]='…'; titles[0]='…';
_URL_ARRAY = re.compile(r"url|href|link", re.I)
_TITLE_ARRAY = re.compile(r"title|header|name|subject", re.I)

_JS_STRING = r"\"((?:[^\"\\\n]|\\.)*)\"|'((?:[^'\\\n]|\\.)*)'"
_PAIR = re.compile(rf"[\"']?([A-Za-z_]\w*)[\"']?\s*:\s*(?:{_JS_STRING})")
_OBJECT = re.compile(r"\{[^{}]{1,3000}\}")
_ARRAY_ITEM = re.compile(rf"([A-Za-z_]\w*)\s*\[\s*(\d+)\s*\]\s*=\s*(?:{_JS_STRING})")
# TRS writes one script per list item: var _url = '…'; var _title = '…'; document.write('<a href="'+_url+'">…')
_VARIABLE = re.compile(rf"\b(?:var|let|const)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:{_JS_STRING})")
_CONCATENATED = re.compile(r"['\"]\s*\+|\+\s*['\"]")
_ANCHOR = re.compile(r"<a\s[^>]*href\s*=.*?</a>", re.I | re.S)
_QUOTED = re.compile(_JS_STRING)
_MAX_TITLE = 150
# A handler's argument that is an address: absolute, rooted, relative or a page/document name.
_URLISH = re.compile(r"^(?:https?://|\.{0,2}/)\S+$|^[\w./-]+\.(?:s?html?|jsp|php|aspx?|do|pdf|docx?|wps)(?:[?#]\S*)?$", re.I)


def page_listing(url: str, html: str) -> Listing | None:
    entries = script_entries(url, html) + handler_entries(url, html)
    return Listing(entries=entries, platforms=[NAME]) if entries else None


def data_listing(url: str, body: str) -> Listing:
    """Entries of a JSON (or JSONP) or XML list answer."""
    data = load_json(body)
    entries = json_entries(url, data) if data is not None else xml_entries(url, body)
    return Listing(entries=entries, platforms=[NAME] if entries else [])


# ------------------------------------------------------------------ scripts

def _unescape(text: str) -> str:
    """A JS string literal's value: \\u4e00 → 一, \\/ → /, \\" → "."""
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    return re.sub(r"\\(.)", r"\1", text)


def _scripts(html: str) -> list[str]:
    return re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.I | re.S)


def script_entries(url: str, html: str) -> list[Entry]:
    """Articles named inside inline scripts: HTML written by document.write or kept in strings,
    objects with an address and a title, and TRS-style parallel arrays."""
    entries: list[Entry] = []
    for script in _scripts(html):
        if "<a" in script.lower():
            entries += html_entries(url, _unescape(script))
        for obj in _OBJECT.finditer(script):
            fields = {m.group(1).lower(): _unescape(m.group(2) if m.group(2) is not None else m.group(3))
                      for m in _PAIR.finditer(obj.group(0))}
            entry = _entry(url, fields)
            if entry:
                entries.append(entry)
        arrays: dict[str, dict[int, str]] = {}
        for m in _ARRAY_ITEM.finditer(script):
            value = m.group(3) if m.group(3) is not None else m.group(4)
            arrays.setdefault(m.group(1), {})[int(m.group(2))] = _unescape(value)
        urls = [v for name, v in arrays.items() if _URL_ARRAY.search(name)]
        titles = [v for name, v in arrays.items() if _TITLE_ARRAY.search(name) and not _URL_ARRAY.search(name)]
        if urls and titles:
            entries += [Entry(urljoin(url, href), titles[0][i].strip()) for i, href in urls[0].items()
                        if i in titles[0] and _URLISH.match(href.strip())]
        variables = {m.group(1): _unescape(m.group(2) if m.group(2) is not None else m.group(3)).strip()
                     for m in _VARIABLE.finditer(script)}
        hrefs = [v for name, v in variables.items() if _URL_ARRAY.search(name) and _URLISH.match(v)]
        names = [v for name, v in variables.items() if _TITLE_ARRAY.search(name) and not _URL_ARRAY.search(name) and v]
        if len(hrefs) == 1 and names:
            entries.append(Entry(urljoin(url, hrefs[0]), names[0]))
    return _unique(entries)


def html_entries(url: str, fragment: str) -> list[Entry]:
    """The <a href> links in a piece of HTML (a CDATA record, a string in a script or a JSON field)."""
    anchors = _ANCHOR.findall(fragment)
    if not anchors:
        return []
    tree = parse_html("<html><body>" + "\n".join(anchors) + "</body></html>")
    if tree is None:
        return []
    entries = []
    for a in tree.iter("a"):
        href = (a.get("href") or "").strip()
        title = (a.get("title") or "").strip() or element_text(a)
        if href and not href.lower().startswith(("javascript:", "#", "mailto:")) and title and not _CONCATENATED.search(href):
            entries.append(Entry(urljoin(url, href), title))
    return entries


def handler_entries(url: str, html: str) -> list[Entry]:
    """Links whose address is an argument of a handler: href="javascript:openWin('…')",
    onclick="window.open('…')" or onclick="location.href='…'"."""
    if "javascript:" not in html.lower() and "onclick" not in html.lower():
        return []
    tree = parse_html(html)
    if tree is None:
        return []
    entries = []
    for el in tree.xpath("//a[starts-with(normalize-space(translate(@href,'JAVASCRIPT','javascript')),'javascript:')] | //*[@onclick]"):
        code = f"{el.get('href') or ''} {el.get('onclick') or ''}"
        target = next((_unescape(a or b).strip() for a, b in _QUOTED.findall(code) if _URLISH.match(_unescape(a or b).strip())), None)
        title = (el.get("title") or "").strip() or element_text(el)
        if target and title and len(title) <= _MAX_TITLE:      # not a whole clickable panel
            entries.append(Entry(urljoin(url, target), title))
    return entries


# ------------------------------------------------------------------ JSON and XML answers

def load_json(body: str):
    """JSON, or JSONP (callback({...});), or None."""
    text = body.strip().lstrip("\ufeff")
    m = re.fullmatch(r"[\w.$]+\s*\((.*)\)\s*;?", text, re.S)
    if m:
        text = m.group(1)
    if text[:1] not in ("{", "["):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def json_entries(url: str, data) -> list[Entry]:
    """Every object in the data that has an address and a title, however deep the list sits."""
    entries: list[Entry] = []

    def walk(node):
        if isinstance(node, dict):
            fields = {str(k).lower(): v for k, v in node.items()}
            entry = _entry(url, fields)
            if entry:
                entries.append(entry)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str) and "<a" in node:
            entries.extend(html_entries(url, node))

    walk(data)
    return _unique(entries)


def xml_entries(url: str, body: str) -> list[Entry]:
    """Elements of an XML list with an address and a title child, and HTML links kept in CDATA."""
    try:
        root = etree.fromstring(body.encode("utf-8"), etree.XMLParser(recover=True, resolve_entities=False, no_network=True))
    except (etree.XMLSyntaxError, ValueError):
        root = None
    if root is None:
        return []
    entries: list[Entry] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        fields = {child.tag.lower(): (child.text or "") for child in el if isinstance(child.tag, str)}
        entry = _entry(url, fields) if fields else None
        if entry:
            entries.append(entry)
        elif el.text and "<a" in el.text:
            entries += html_entries(url, el.text)
    return _unique(entries)


def _entry(url: str, fields: dict) -> Entry | None:
    href = next((fields[k] for k in URL_KEYS if isinstance(fields.get(k), str) and fields[k].strip()), None)
    title = next((fields[k] for k in TITLE_KEYS if isinstance(fields.get(k), str) and fields[k].strip()), None)
    if not href or not title or not _URLISH.match(href.strip()):
        return None
    title = re.sub(r"<[^>]+>", "", title).strip()      # titles with a highlighted <em> word
    return Entry(urljoin(url, href.strip()), title)


def _unique(entries: list[Entry]) -> list[Entry]:
    seen: set[str] = set()
    return [e for e in entries if not (e.url in seen or seen.add(e.url))]
