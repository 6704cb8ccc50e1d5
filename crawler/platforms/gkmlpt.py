"""GKMLPT-style disclosure catalogues (政府信息公开目录平台, /gkmlpt/index): an app shell whose
config object (window._CONFIG = {SID: '…'}) names the site; its script reads the category tree
from /gkmlpt/api/tree?sid=SID and each category's articles from
/gkmlpt/api/all/CATID?page=N&sid=SID (JSON: {"articles": [{"title", "url", …}], "total": N}).
The article pages themselves are server-rendered. Without the right sid the API answers an empty list.
"""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from ..discover import link_score
from . import Listing, ListRequest
from .generic import json_entries, load_json

NAME = "gkmlpt"
_SID = re.compile(r"_CONFIG\s*=\s*\{.*?\bSID\b['\"]?\s*:\s*['\"]?([\w-]+)", re.S)
_APP = re.compile(r"/gkmlpt/", re.I)


def page_listing(url: str, html: str) -> Listing | None:
    sid = _SID.search(html)
    if not sid or not (_APP.search(urlsplit(url).path + "/") or "gkmlpt" in html):
        return None
    api = _api_base(url, html)
    tree = ListRequest(NAME, f"{api}tree?sid={sid.group(1)}", kind="api", state={"step": "tree", "sid": sid.group(1), "api": api})
    return Listing(requests=[tree], platforms=[NAME])


def read_listing(request: ListRequest, body: str) -> Listing:
    data = load_json(body)
    state = request.state
    if state["step"] == "tree":
        return Listing(requests=_category_requests(data, state), platforms=[NAME])
    entries = json_entries(request.url, data)
    more = []
    total = _total(data)
    page, per_page = state["page"], state.get("per_page") or len(entries)
    if entries and total and page * per_page < total:
        more.append(_list_request({**state, "per_page": per_page}, state["category"], page + 1))
    return Listing(entries=entries, requests=more, platforms=[NAME])


def report_categories(data) -> list[str]:
    """Ids of the categories of the tree named for annual reports: the most specific ones (a
    年报 category whose sub-categories are 年报 too lists nothing of its own)."""
    def wanted(node) -> list[str]:
        if isinstance(node, list):
            return [cid for child in node for cid in wanted(child)]
        if not isinstance(node, dict):
            return []
        below = [cid for key, value in node.items() if isinstance(value, (list, dict)) for cid in wanted(value)]
        name = node.get("name") or node.get("title") or node.get("classify_name")
        if below or node.get("id") is None or not isinstance(name, str) or link_score("", name) < 80:
            return below
        return [str(node["id"])]

    return list(dict.fromkeys(wanted(data)))


def _category_requests(data, state: dict) -> list[ListRequest]:
    """The categories named for annual reports; with none, the whole catalogue, whose pages are
    read only while they list reports."""
    wanted = report_categories(data)
    return [_list_request(state, cid, 1) for cid in wanted] or [_list_request({**state, "browse": True}, "0", 1)]


def _list_request(state: dict, category: str, page: int) -> ListRequest:
    url = f"{state['api']}all/{category}?page={page}&sid={state['sid']}"
    return ListRequest(NAME, url, kind="api", next_page=page > 1 or bool(state.get("browse")),
                       state={**state, "step": "list", "category": category, "page": page})


def _total(data) -> int:
    if isinstance(data, dict):
        for key in ("total", "count", "totalCount", "total_count"):
            if str(data.get(key, "")).isdigit():
                return int(data[key])
    return 0


def _api_base(url: str, html: str) -> str:
    """/gkmlpt/api/ beside the app, or where its config says the API lives."""
    m = re.search(r"_CONFIG\s*=\s*\{.*?\b(?:API|API_URL|apiUrl|BASE_API)\b['\"]?\s*:\s*['\"]([^'\"]+)", html, re.S)
    if m:
        return urljoin(url, m.group(1).rstrip("/") + "/")
    path = urlsplit(url).path
    prefix = path[:path.lower().find("/gkmlpt/")] if "/gkmlpt/" in path.lower() else ""
    return urljoin(url, f"{prefix}/gkmlpt/api/")
