"""The demo portals' dynamic answers: a Hanweb data proxy (POST) and a GKMLPT catalogue API.

Their data is written by demo/build_sites.py to demo/sites/<host>/_data/<platform>.json and is
not served as a file. Like the real platforms, a request without the page's form fields (or
the catalogue's site id) gets an empty list, not an error.
"""
from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path

PROXY_PATH = "/module/web/jpage/dataproxy.jsp"


def answer(sites: Path, host: str, method: str, path: str, query: dict, form: dict) -> tuple[int, str, str] | None:
    """(status, body, content type) for a dynamic path of `host`, or None for a plain file."""
    if path.startswith("/_data/"):
        return 404, "<html><body><h1>404</h1></body></html>", "text/html; charset=utf-8"
    if path == PROXY_PATH:
        data = _data(sites, host, "hanweb")
        if data is None:
            return None
        if method != "POST":
            return 405, "<html><body>Method Not Allowed</body></html>", "text/html; charset=utf-8"
        return 200, hanweb_proxy(data, query, form), "text/xml; charset=utf-8"
    if path.startswith("/gkmlpt/api/"):
        data = _data(sites, host, "gkmlpt")
        if data is None:
            return None
        return 200, json.dumps(gkmlpt_api(data, path, query), ensure_ascii=False), "application/json; charset=utf-8"
    return None


def _data(sites: Path, host: str, platform: str):
    file = sites / host / "_data" / f"{platform}.json"
    return json.loads(file.read_text(encoding="utf-8")) if file.is_file() else None


def hanweb_proxy(data: dict, query: dict, form: dict) -> str:
    """<datastore> of records startrecord..endrecord (1-based, inclusive) of the column the form names."""
    column = data["columns"].get(str(form.get("columnid", "")))
    records = []
    if column and str(form.get("unitid")) == column["unitid"] and str(form.get("webid")) == str(data["webid"]):
        start = max(int(query.get("startrecord") or 1), 1)
        end = min(int(query.get("endrecord") or start), start + 99)     # the server caps a call at 100 records
        records = column["records"][start - 1:end]
    body = "".join(f"<record><![CDATA[\n{r}\n]]></record>\n" for r in records)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n<recordset>\n{body}</recordset>\n</datastore>\n'


def gkmlpt_api(data: dict, path: str, query: dict) -> dict:
    if query.get("sid") != data["sid"]:
        return {"articles": [], "total": 0} if "/all/" in path else []
    if path == "/gkmlpt/api/tree":
        return data["tree"]
    m = re.fullmatch(r"/gkmlpt/api/all/(\d+)", path)
    if not m:
        return {"articles": [], "total": 0}
    articles = data["articles"].get(m.group(1), [])
    page = max(int(query.get("page") or 1), 1)
    size = data["page_size"]
    return {"articles": articles[(page - 1) * size:page * size], "total": len(articles), "page": page, "size": size}


def record_html(href: str, title: str, date: str) -> str:
    """One Hanweb list record: the anchor text cut short, the full title in title=."""
    short = title if len(title) <= 24 else title[:23] + "…"
    return f'<li><a href="{escape(href)}" target="_blank" title="{escape(title)}">{escape(short)}</a><span>{date}</span></li>'
