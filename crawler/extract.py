"""Main text, title, page metadata and table grids out of an HTML page."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import lxml.html
import trafilatura
from lxml import etree

from . import limits
from .tables import Cell, section_of_table

# CMS <meta> names (Hanweb, TRS, 政府网站集约化平台) that carry what we need.
_META_NAMES = {
    "title": ("articletitle", "og:title", "title"),
    "published": ("pubdate", "publishdate", "firstpublishedtime", "article:published_time", "date"),
    "publisher": ("contentsource", "author", "source"),
    "site": ("sitename", "og:site_name", "site_name"),
    "column": ("columnname",),
}
_DATE_TAGS = ("publishtime", "pubtime", "publishdate")
_BLOCKS = frozenset(("p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "table", "ul", "section", "article"))
_DROP_TAGS = ("script", "style", "noscript", "iframe", "nav", "header", "footer", "form", "select", "button")


@dataclass
class Extracted:
    text: str                                    # main text, tables flattened one row per line
    titles: list[str] = field(default_factory=list)       # title candidates, best first
    more_titles: list[str] = field(default_factory=list)  # headings that may belong to sidebars
    meta: dict = field(default_factory=dict)     # <meta> values and the page's labelled header block
    header_text: str = ""                        # page text above the report, where 索引号/发布机构 live
    grids: list[list[list[Cell]]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, anchor text) of the content
    ocr: object = None                           # crawler.ocr.OcrText when pages or images were read by OCR


# What the parser asks of trafilatura (bench/parse_bench.py measures the parse against this call alone).
TRAFILATURA_OPTIONS = {"include_tables": True, "include_comments": False, "include_links": False,
                       "favor_recall": True, "deduplicate": False, "output_format": "txt"}

# The parser trafilatura itself uses: comments and processing instructions go, ids are not indexed.
_PARSER = lxml.html.HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8",
                               remove_comments=True, remove_pis=True)


def close_comments(html: str) -> str:
    """An unclosed `<!--` (a CMS template's debris) would hide everything after it: it is dropped."""
    start = html.rfind("<!--")
    while start != -1 and html.find("-->", start + 4) == -1:
        html = html[:start] + html[start + 4:]
        start = html.rfind("<!--", 0, start)
    return html


def parse_html(html: str):
    html = close_comments(html)
    try:
        return lxml.html.document_fromstring(html.encode("utf-8", "surrogatepass"), parser=_PARSER)
    except (etree.ParserError, ValueError):
        return None


def extract_html(html: str) -> Extracted:
    tree = parse_html(html)
    if tree is None:
        return Extracted(text="")
    meta = meta_tags(tree)
    # nothing below reads scripts or styles, and trafilatura drops them anyway
    etree.strip_elements(tree, "script", "style", "noscript", with_tail=False)
    titles, more_titles = title_candidates(tree, meta)
    grids = [grid for table in _data_tables(tree) if (grid := table_grid(table))]
    links = [(a.get("href", ""), element_text(a)) for a in tree.iter("a") if a.get("href")]
    header_text = text_nodes(tree, 4000)   # where 索引号 / 发布机构 / 发布日期 live
    _flatten_huge_spans(tree)
    # trafilatura prunes the tree in place; we are done reading it.
    text = trafilatura.extract(tree, **TRAFILATURA_OPTIONS) or ""
    if len(text) < 200:
        text = page_text(tree)
    return Extracted(text=text, titles=titles, more_titles=more_titles, meta=meta, header_text=header_text, grids=grids, links=links)


def _flatten_huge_spans(tree) -> None:
    """trafilatura lays a table out cell by spanned cell, which takes minutes for a table whose
    spans cover more than TABLE_MAX_CELLS cells (5 000 cells of colspan=50 rowspan=50). No report
    table is near that: such a table loses its spans and is read as plain cells."""
    if _area(tree) <= limits.TABLE_MAX_CELLS:      # no table of the page can be over (nearly every page)
        return
    for table in tree.iter("table"):
        if _area(table) > limits.TABLE_MAX_CELLS:
            for spanned in table.iter("td", "th"):
                spanned.attrib.pop("colspan", None)
                spanned.attrib.pop("rowspan", None)


def _area(element) -> int:
    """Grid positions the cells under `element` cover: each cell itself, and what its spans add."""
    area = int(_COUNT_CELLS(element))
    if area > limits.TABLE_MAX_CELLS:
        return area
    return area + sum(_span(cell.get("colspan", 1)) * _span(cell.get("rowspan", 1)) - 1 for cell in _SPANNED_CELLS(element))


_COUNT_CELLS = etree.XPath("count(.//td|.//th)")
# (reached through their attributes: libxml2 then tests the few attributes, not every element)
_SPANNED_CELLS = etree.XPath("(.//td/@colspan|.//td/@rowspan|.//th/@colspan|.//th/@rowspan)/..")


def element_text(element) -> str:
    # str.split() splits on exactly what \s matches, at a fraction of a regex's cost (it runs for every cell);
    # an element without children (most cells and links) is its .text, without text_content()'s XPath call
    text = element.text if len(element) == 0 else element.text_content()
    return " ".join((text or "").split())


def meta_tags(tree) -> dict:
    found = {}
    tags = {}
    for m in tree.iter("meta"):
        name = (m.get("name") or m.get("property") or "").strip().lower()
        if name and m.get("content"):
            tags.setdefault(name, m.get("content").strip())
    # CMSs that print the date in a tag of their own: <publishtime>2023-01-16 10:20</publishtime>
    for tag in _DATE_TAGS:
        for element in tree.iter(tag):
            if (element.text or "").strip():
                tags.setdefault("pubdate", element.text.strip())
    for key, names in _META_NAMES.items():
        for name in names:
            if tags.get(name):
                found[key] = tags[name]
                break
    return found


def title_candidates(tree, meta: dict) -> tuple[list[str], list[str]]:
    """Title candidates, most trustworthy first: the CMS's ArticleTitle, <title> without the site
    name after it, <h1>; then elements classed 'title' and <h2>/<h3>, which on many portals also
    hold sidebar and 上一篇/下一篇 links to other reports."""
    strong = strong_titles(tree, meta)
    return strong, weak_titles(tree, strong)


def strong_titles(tree, meta: dict) -> list[str]:
    strong = []
    if meta.get("title"):
        strong.append(meta["title"])
    title = tree.find(".//title")
    if title is not None and title.text:
        strong.append(re.split(r"\s*(?:_|\||｜|--|——| - )\s*", title.text.strip())[0])
    strong.extend(element_text(h) for h in tree.iter("h1"))
    return _usable_titles(strong)


def weak_titles(tree, strong: list[str] = ()) -> list[str]:
    weak = [element_text(el) for el in _TITLED(tree)[:10]]
    for tag in ("h2", "h3"):
        weak.extend(element_text(h) for h in tree.iter(tag))
    return _usable_titles(weak, exclude=strong)


# elements whose class or id holds 'title' (reached through the attributes, as _SPANNED_CELLS)
_TITLED = etree.XPath("//@class[contains(., 'title')]/..|//@id[contains(., 'title')]/..")


def _usable_titles(texts, exclude=()) -> list[str]:
    return [t for t in dict.fromkeys(texts) if t and len(t) <= 150 and t not in exclude]


def text_nodes(tree, limit: int) -> str:
    """The page's text nodes in order, one per line, up to about `limit` characters."""
    body = tree.find("body")
    parts, size = [], 0
    for node in _TEXT_NODES(body if body is not None else tree):
        node = node.strip()
        if node:
            parts.append(node)
            size += len(node)
            if size > limit:
                break
    return "\n".join(parts)


# what itertext() yields, listed by libxml2 at a fraction of the cost of iterating in Python
_TEXT_NODES = etree.XPath(".//text()", smart_strings=False)


class _Enough(Exception):
    pass


def page_text(tree, limit: int = 1_000_000) -> str:
    """Visible text of the page, one block per line, up to about `limit` characters."""
    body = tree.find("body")
    parts: list[str] = []
    size = 0

    def add(text):
        nonlocal size
        parts.append(text)
        size += len(text)
        if size > limit:
            raise _Enough

    def walk(el):
        if el.text and el.text.strip():
            add(el.text.strip())
        for child in el:
            if isinstance(child.tag, str) and child.tag not in _DROP_TAGS:
                walk(child)
            if child.tail and child.tail.strip():
                add(child.tail.strip())
        if el.tag in ("td", "th"):
            add(" | ")
        elif el.tag in _BLOCKS:
            add("\n")

    try:
        walk(body if body is not None else tree)
    except _Enough:
        pass
    return re.sub(r"\n\s*\n+", "\n", "".join(parts)[:limit])


def _data_tables(tree):
    """Innermost tables that hold numbers under a report table's labels (portals still lay
    whole pages out in tables, and metadata blocks are tables too)."""
    for table in tree.iter("table"):
        if table.find(".//table") is not None:
            continue
        text = table.text_content() or ""
        if re.search(r"\d", text) and section_of_table(text):
            yield table


_MAX_GRID_COLUMNS = 256      # report tables have about 10; cells beyond are not read


def table_grid(table) -> list[list[Cell]]:
    """Rows of cells with their grid column, rowspan/colspan expanded for positions only:
    each cell appears once, in the row where it starts. Each grid column remembers the last row
    a cell from above covers, so a span costs its width, not the cells it covers; at most
    TABLE_MAX_CELLS cells are read (5 000 cells spanning 50×50 cost what their cells do)."""
    covered_until: list[int] = []      # per grid column: the last row a rowspan above reaches
    rows: list[list[Cell]] = []
    budget = limits.TABLE_MAX_CELLS
    # data tables are innermost (see _data_tables), so every <tr> below is their own
    for r, tr in enumerate(table.iter("tr")):
        cells = []
        c = 0
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            budget -= 1
            if budget < 0:
                return rows
            while c < len(covered_until) and covered_until[c] >= r:
                c += 1
            if c >= _MAX_GRID_COLUMNS:
                break
            colspan, rowspan = td.get("colspan"), td.get("rowspan")
            colspan = _span(colspan) if colspan is not None else 1
            rowspan = _span(rowspan) if rowspan is not None else 1
            if rowspan > 1:
                end = min(c + colspan, _MAX_GRID_COLUMNS)
                covered_until.extend([-1] * (end - len(covered_until)))
                covered_until[c:end] = [r + rowspan - 1] * (end - c)
            cells.append(Cell(element_text(td), c, colspan))
            c += colspan
        if cells:
            rows.append(cells)
    return rows


def _span(value) -> int:
    try:
        return max(1, min(int(str(value).strip()), 50))
    except (TypeError, ValueError):
        return 1
