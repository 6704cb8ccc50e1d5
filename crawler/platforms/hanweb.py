"""Hanweb (大汉) column pages: /col/colNNN/index.html, articles /art/Y/M/D/art_COL_ID.html.

The first records of a column are embedded in the page as
    <script type="text/xml"><datastore><recordset><record><![CDATA[<li><a href=…>…</a></li>]]></record>…
and the rest come from /module/web/jpage/dataproxy.jsp?startrecord=A&endrecord=B&perpage=P, a POST
whose form fields (columnid, unitid, webid, path, webname, permissiontype, …) are the `ajaxParam`
of the page's jpage({...}) call, answered with a <datastore> of the same records.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urljoin, urlsplit

from . import Entry, Listing, ListRequest
from .generic import html_entries

NAME = "hanweb"
PROXY_PATH = "/module/web/jpage/dataproxy.jsp"
_RECORD = re.compile(r"<record>\s*(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?\s*</record>", re.I | re.S)
_DATASTORE = re.compile(r"<datastore>.*?</datastore>", re.I | re.S)
_JPAGE = re.compile(r"\bjpage\(\s*\{", re.I)
_JS_VALUE = r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"|([\w.\-/]+)"
_PAIR = re.compile(rf"[\"']?(\w+)[\"']?\s*:\s*(?:{_JS_VALUE})")
# what the jpage widget does when the page leaves it out
DEFAULT_PER_PAGE, DEFAULT_GROUP_SIZE = 15, 3


def page_listing(url: str, html: str) -> Listing | None:
    store = _DATASTORE.search(html)
    config = jpage_config(html)
    if not store and not config:
        return None
    records = records_in(url, store.group(0)) if store else []
    if store:       # what the jpage call leaves out, the datastore may tell
        from_store = _config_from_datastore(store.group(0))
        config = {**from_store, **{k: v for k, v in config.items() if v}} if from_store else config
    requests = []
    total = config.get("total", 0)
    if config.get("form") and total > len(records):
        start = len(records) + 1
        requests.append(_proxy_request(url, config, start, next_page=True))
    return Listing(entries=records, requests=requests, platforms=[NAME])


def read_listing(request: ListRequest, body: str) -> Listing:
    """The records of one data-proxy answer, and the request for the next records if any remain."""
    records = records_in(request.url, body)
    config, end = request.state["config"], request.state["end"]
    more = []
    if records and end < config["total"]:
        more.append(_proxy_request(request.url, config, end + 1, next_page=True))
    return Listing(entries=records, requests=more, platforms=[NAME])


def records_in(url: str, xml: str) -> list[Entry]:
    entries: list[Entry] = []
    for record in _RECORD.findall(xml):
        entries += html_entries(url, record)
    return entries


def jpage_config(html: str) -> dict:
    """What the page's jpage({...}) call tells the proxy: {'proxy', 'form', 'total', 'chunk', 'per_page'}."""
    call = _JPAGE.search(html)
    if not call:
        return {}
    body = _balanced(html, call.end() - 1)
    # ajaxParam: {…} in the call, or ajaxParam: name with `var name = {…}` elsewhere on the page
    param = re.search(r"ajaxParam\s*:\s*(\{|[A-Za-z_]\w*)", body)
    form: dict[str, str] = {}
    if param and param.group(1) == "{":
        form = _pairs(_balanced(body, param.start(1)))
    elif param:
        var = re.search(rf"\b{re.escape(param.group(1))}\s*=\s*\{{", html)
        form = _pairs(_balanced(html, var.end() - 1)) if var else {}
    top = _pairs(re.sub(r"\{[^{}]*\}", "", body[1:-1]))      # the call's own keys, not ajaxParam's
    per_page = _int(top.get("perPage"), DEFAULT_PER_PAGE)
    group = _int(top.get("groupSize"), DEFAULT_GROUP_SIZE)
    return {"proxy": top.get("proxyUrl") or top.get("url") or PROXY_PATH, "form": form,
            "total": _int(top.get("totalRecord"), 0), "per_page": per_page, "chunk": per_page * group}


def _config_from_datastore(xml: str) -> dict:
    """Without a jpage call: the proxy address in <nextgroup> and the count in <totalrecord>."""
    nextgroup = re.search(r"<nextgroup>\s*(?:<!\[CDATA\[)?.*?href=['\"]([^'\"]+)", xml, re.I | re.S)
    total = re.search(r"<totalrecord>\s*(\d+)", xml, re.I)
    if not nextgroup or not total:
        return {}
    parts = urlsplit(nextgroup.group(1).replace("&amp;", "&"))
    form = {k: v for k, v in parse_qsl(parts.query) if k not in ("page", "startrecord", "endrecord", "perpage")}
    return {"proxy": parts.path or PROXY_PATH, "form": form, "total": int(total.group(1)),
            "per_page": DEFAULT_PER_PAGE, "chunk": DEFAULT_PER_PAGE * DEFAULT_GROUP_SIZE}


def _proxy_request(page_url: str, config: dict, start: int, next_page: bool) -> ListRequest:
    # as many records per call as the widget itself asks for: a size the server is known to answer
    end = min(start + config["chunk"] - 1, config["total"])
    query = f"startrecord={start}&endrecord={end}&perpage={config['per_page']}"
    return ListRequest(NAME, urljoin(page_url, config["proxy"]) + "?" + query, kind="proxy", method="POST",
                       form=dict(config["form"]), next_page=next_page, state={"config": config, "end": end})


def _balanced(text: str, open_at: int) -> str:
    """The {...} starting at text[open_at], braces inside strings ignored."""
    depth, quote = 0, None
    for i in range(open_at, len(text)):
        c = text[i]
        if quote:
            if c == "\\":
                continue
            if c == quote and text[i - 1] != "\\":
                quote = None
        elif c in "'\"":
            quote = c
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return text[open_at:i + 1]
    return text[open_at:]


def _pairs(obj: str) -> dict[str, str]:
    return {m.group(1): next(g for g in m.groups()[1:] if g is not None) for m in _PAIR.finditer(obj)}


def _int(value, default: int) -> int:
    return int(value) if value and str(value).isdigit() else default
