"""Where list platforms keep their article lists: one small module per platform.

Most agency portals do not list their articles as plain <a> links: a CMS embeds them in a
script and pages them through a data proxy (hanweb), a disclosure catalogue is an app reading a
JSON API (gkmlpt), or a page builds its list in JavaScript (generic). Each adapter module has

    NAME                                   the platform, as counted in the crawl summary
    page_listing(url, html) -> Listing     recognise a fetched page: the entries it embeds and the
                                           requests (POST to a proxy, API calls) that list more
    read_listing(request, body) -> Listing (adapters that make requests) the entries of a response
                                           to one of them, and the requests for the list's next part

All functions are pure (text in, Listing out); the spider scores the entries with
discover.link_score and follows them like links. To support another platform, add a module
here, list it in ADAPTERS and add a demo portal of its kind (demo/platform_sites.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Entry:
    """One article of a list: where it is and what it is called."""
    url: str
    title: str


@dataclass
class ListRequest:
    """A request that lists articles. `kind` is what the crawl summary counts it as ('proxy', 'api');
    `next_page` marks a further part of a list, worth fetching only while the part before names
    reports (or, with nothing before it, on a page reached as a report list); `state` is the
    adapter's own memo for reading the answer."""
    platform: str
    url: str
    kind: str
    method: str = "GET"
    form: dict[str, str] = field(default_factory=dict)
    next_page: bool = False
    state: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The request's identity, so that each is made (and counted against the budget) once."""
        return f"{self.method} {self.url} " + "&".join(f"{k}={v}" for k, v in sorted(self.form.items()))


@dataclass
class Listing:
    entries: list[Entry] = field(default_factory=list)
    requests: list[ListRequest] = field(default_factory=list)
    platforms: list[str] = field(default_factory=list)    # the adapters that recognised the page

    def __bool__(self) -> bool:
        return bool(self.entries or self.requests)

    def add(self, other: Listing | None) -> Listing:
        """Merge another adapter's finds; it counts as recognising the page only if it adds something."""
        if other:
            known = {e.url for e in self.entries}
            new = [e for e in other.entries if e.url not in known and not known.add(e.url)]
            self.entries += new
            self.requests += other.requests
            if new or other.requests:
                self.platforms += [p for p in other.platforms if p not in self.platforms]
        return self


from . import generic, gkmlpt, hanweb  # noqa: E402  (the adapters use the types above)

# Specific platforms first; the generic reader picks up what they leave.
ADAPTERS = (hanweb, gkmlpt, generic)
_BY_NAME = {adapter.NAME: adapter for adapter in ADAPTERS}


def page_listing(url: str, html: str) -> Listing:
    """Everything the platform adapters find in a fetched HTML page."""
    listing = Listing()
    for adapter in ADAPTERS:
        listing.add(adapter.page_listing(url, html))
    return listing


def read_listing(request: ListRequest, body: str) -> Listing:
    """The entries (and next requests) in the answer to a ListRequest, read by the adapter that asked."""
    return _BY_NAME[request.platform].read_listing(request, body)


def data_listing(url: str, body: str) -> Listing:
    """A JSON or XML list reached as an ordinary link (list.json, a feed): its entries."""
    return generic.data_listing(url, body)


def is_data(content_type: str, body: bytes) -> bool:
    """A JSON or XML answer rather than a page."""
    content_type = content_type.lower()
    if "json" in content_type or ("xml" in content_type and "html" not in content_type):
        return True
    head = body[:200].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] in (b"{", b"[") or head.startswith(b"<?xml") and b"<html" not in body[:2000].lower()
