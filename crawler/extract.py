"""Main text, title, page metadata and table grids out of an HTML page."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import lxml.html
import trafilatura
from lxml import etree

from .tables import Cell

# CMS <meta> names (Hanweb, TRS, 政府网站集约化平台) that carry what we need.
_META_NAMES = {
    "title": ("articletitle", "og:title", "title"),
    "published": ("pubdate", "publishdate", "firstpublishedtime", "article:published_time", "date"),
    "publisher": ("contentsource", "author", "source"),
    "site": ("sitename", "og:site_name", "site_name"),
    "column": ("columnname",),
}
_DROP_TAGS = ("script", "style", "noscript", "iframe", "nav", "header", "footer", "form", "select", "button")


@dataclass
class Extracted:
    text: str                                    # main text, tables flattened one row per line
    titles: list[str] = field(default_factory=list)   # title candidates, best first
    meta: dict = field(default_factory=dict)     # <meta> values and the page's labelled header block
    header_text: str = ""                        # page text above the report, where 索引号/发布机构 live
    grids: list[list[list[Cell]]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, anchor text) of the content


def parse_html(html: str):
    try:
        return lxml.html.document_fromstring(html.encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8"))
    except (etree.ParserError, ValueError):
        return None


def extract_html(html: str) -> Extracted:
    tree = parse_html(html)
    if tree is None:
        return Extracted(text="")
    meta = _meta_tags(tree)
    titles = _titles(tree, meta)
    grids = [grid for table in _data_tables(tree) if (grid := table_grid(table))]
    links = [(a.get("href", ""), _text(a)) for a in tree.iter("a") if a.get("href")]
    header_text = _page_text(tree)[:4000]
    # trafilatura prunes the tree in place; we are done reading it.
    text = trafilatura.extract(tree, include_tables=True, include_comments=False, include_links=False,
                               favor_recall=True, deduplicate=False, output_format="txt") or ""
    if len(text) < 200:
        text = _page_text(tree)
    return Extracted(text=text, titles=titles, meta=meta, header_text=header_text, grids=grids, links=links)


def _text(element) -> str:
    return re.sub(r"\s+", " ", element.text_content() or "").strip()


def _meta_tags(tree) -> dict:
    found = {}
    tags = {}
    for m in tree.iter("meta"):
        name = (m.get("name") or m.get("property") or "").strip().lower()
        if name and m.get("content"):
            tags.setdefault(name, m.get("content").strip())
    for key, names in _META_NAMES.items():
        for name in names:
            if tags.get(name):
                found[key] = tags[name]
                break
    return found


def _titles(tree, meta: dict) -> list[str]:
    titles = []
    if meta.get("title"):
        titles.append(meta["title"])
    for tag in ("h1", "h2", "h3"):
        titles.extend(_text(h) for h in tree.iter(tag))
    for el in tree.xpath("//*[contains(@class,'title') or contains(@id,'title')]")[:10]:
        titles.append(_text(el))
    title = tree.find(".//title")
    if title is not None and title.text:
        titles.append(title.text.strip())
    return [t for t in dict.fromkeys(titles) if t and len(t) <= 150]


def _page_text(tree) -> str:
    """Visible text of the whole page, one block per line (fallback and metadata block)."""
    body = tree.find("body")
    root = body if body is not None else tree
    parts = []
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in _DROP_TAGS:
            continue
        if _inside(el, _DROP_TAGS):
            continue
        if el.text and el.text.strip():
            parts.append(el.text.strip())
        if el.tag in ("td", "th"):
            parts.append(" | ")
        elif el.tag in ("p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "table"):
            parts.append("\n")
        if el.tail and el.tail.strip():
            parts.append(el.tail.strip())
    text = "".join(parts)
    return re.sub(r"\n\s*\n+", "\n", text)


def _inside(el, tags) -> bool:
    parent = el.getparent()
    while parent is not None:
        if parent.tag in tags:
            return True
        parent = parent.getparent()
    return False


def _data_tables(tree):
    """Innermost tables that hold numbers: portals still lay whole pages out in tables."""
    for table in tree.iter("table"):
        if table.find(".//table") is not None:
            continue
        if re.search(r"\d", table.text_content() or ""):
            yield table


def table_grid(table) -> list[list[Cell]]:
    """Rows of cells with their grid column, rowspan/colspan expanded for positions only:
    each cell appears once, in the row where it starts."""
    occupied: dict[tuple[int, int], bool] = {}
    rows: list[list[Cell]] = []
    row_elements = [tr for tr in table.iter("tr") if _owner_table(tr) is table]
    for r, tr in enumerate(row_elements):
        cells = []
        c = 0
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            while occupied.get((r, c)):
                c += 1
            colspan = _span(td.get("colspan"))
            rowspan = _span(td.get("rowspan"))
            for dr in range(rowspan):
                for dc in range(colspan):
                    occupied[(r + dr, c + dc)] = True
            cells.append(Cell(_text(td), c, colspan))
            c += colspan
        if cells:
            rows.append(cells)
    return rows


def _owner_table(tr):
    parent = tr.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


def _span(value) -> int:
    try:
        return max(1, min(int(str(value).strip()), 50))
    except (TypeError, ValueError):
        return 1
