"""`scrapy crawl reports`: find every 政府信息公开工作年度报告 a list of portals publishes.

    scrapy crawl reports [-a portals=PATH | -a start_urls=URL,URL] [-a years=2019-2025] [-a max_pages=N] [-a max_depth=N]

The decisions (which links, which pages) are pure functions in crawler.discover; this
spider only fetches, applies them and hands report pages and attachments to the pipelines.
"""
from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TCPTimedOutError, TimeoutError

from crawler.attachments import sniff_format
from crawler.decode import decode_bytes
from crawler.discover import (
    ATTACHMENT_EXTENSIONS,
    classify_page,
    continuation_links,
    host_allowed,
    link_score,
    outline_html,
    pagination_urls,
    title_year,
)
from crawler.items import Fetched, ReportItem
from crawler.portals import PortalListError, load_portals, parse_years, portals_from_urls

_REPORT_TEXT = ("收到和处理政府信息公开申请", "本年新收", "主动公开政府信息情况", "行政复议、行政诉讼")


def _positive_int(name: str, value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise PortalListError(f"{name} must be a positive whole number, not {value!r}")
    return number


class ReportsSpider(scrapy.Spider):
    name = "reports"

    def __init__(self, portals=None, start_urls=None, years=None, max_pages=None, max_depth=None, **kwargs):
        super().__init__(**kwargs)
        self._portals_arg, self._start_urls_arg = portals, start_urls
        self._years_arg, self._max_pages_arg, self._max_depth_arg = years, max_pages, max_depth

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.config_error = None
        try:
            if spider._start_urls_arg:
                spider.portals = portals_from_urls(spider._start_urls_arg)
            else:
                spider.portals = load_portals(spider._portals_arg or settings.get("PORTALS_FILE"))
            spider.years = parse_years(spider._years_arg if spider._years_arg is not None else settings.get("REPORT_YEARS"))
            spider.max_pages = _positive_int("max_pages", spider._max_pages_arg or settings.getint("PORTAL_MAX_PAGES", 300))
            spider.max_depth = _positive_int("max_depth", spider._max_depth_arg or settings.getint("PORTAL_MAX_DEPTH", 8))
        except PortalListError as exc:
            # reported by start(); a traceback would bury the one line the user needs
            spider.config_error, spider.portals, spider.years = str(exc), [], None
            spider.max_pages = spider.max_depth = 0
        spider.domains = [p.domains for p in spider.portals]
        spider.allowed_domains = sorted(set().union(*spider.domains))
        spider.scheduled = [0] * len(spider.portals)
        spider.seen: set[str] = set()      # so the page budget counts each URL once
        return spider

    def arguments(self) -> dict:
        return {"portals": self._portals_arg, "start_urls": self._start_urls_arg, "years": self._years_arg,
                "max_pages": self.max_pages, "max_depth": self.max_depth, "portal_count": len(self.portals)}

    async def start(self):
        if self.config_error:
            self.logger.error(self.config_error)
            self.crawler.stats.set_value("nianbao/config_error", self.config_error)
            return
        self.crawler.stats.set_value("nianbao/portals", len(self.portals))
        for index, portal in enumerate(self.portals):
            self.scheduled[index] += 1
            self.seen.add(portal.start_url)
            yield scrapy.Request(portal.start_url, callback=self.parse_page, errback=self.on_error, priority=100,
                                 meta={"portal": index, "hops": 0})

    # ------------------------------------------------------------------ callbacks

    def parse_page(self, response):
        self.crawler.stats.inc_value("nianbao/pages_fetched")
        if self._is_attachment(response):
            yield from self._attachment_item(response)
            return
        try:
            decoded = decode_bytes(response.body, response.headers.get("Content-Type", b"").decode("latin-1"))
            outline = outline_html(decoded.text)
            kind = classify_page(outline.title, outline.text)
        except Exception as exc:     # keep the bytes: the page is stored and can be re-parsed later
            self.crawler.stats.inc_value("nianbao/errors/page_unreadable")
            item = self._item(response, "page", "")
            item.errors.append(f"spider could not read the page: {exc.__class__.__name__}: {exc}")
            yield self._candidate(item)
            return
        self.crawler.stats.inc_value(f"nianbao/pages/{kind}")
        base = urljoin(response.url, outline.base)
        links = [(urljoin(base, href), anchor, title) for href, anchor, title in outline.links]
        if kind == "report":
            yield from self._report(response, outline, links)
            return
        is_list = kind == "index" or self._lists_reports(links)
        yield from self._follow(response, links, is_list=is_list)
        if is_list:
            for url in pagination_urls(response.url, outline.html):
                yield from self._request(response, url, score=70)

    def _report(self, response, outline, links):
        year = title_year(outline.title)
        if self.years and year and not self.years[0] <= year <= self.years[1]:
            self.crawler.stats.inc_value("nianbao/out_of_years")
            return
        attachments = [(u, a, t) for u, a, t in links if urlsplit(u).path.lower().endswith(ATTACHMENT_EXTENSIONS)]
        for url, _, _ in attachments:
            yield from self._request(response, url, score=90, title=outline.title)
        # other reports linked from this one (previous years, departments)
        yield from self._follow(response, [(u, a, t) for u, a, t in links if link_score(u, a, t) >= 80], is_list=False)
        has_report_text = any(marker in outline.text for marker in _REPORT_TEXT)
        if attachments and not has_report_text:
            return      # a wrapper page: the report is in the attachment
        item = self._item(response, "page", outline.title)
        # later pages: linked (下一页, 2) or, on TRS sites, written by createPageHTML(2, 0, "t2021…_1", "html")
        rest = continuation_links(response.url, [(u, a) for u, a, _ in links])
        own = urlsplit(response.url).path.rsplit(".", 1)[0] + "_"      # not a list widget's pages
        rest += [u for u in pagination_urls(response.url, outline.html) if urlsplit(u).path.startswith(own) and u not in rest]
        if rest:
            yield self._continuation_request(item, rest)
        else:
            yield self._candidate(item)

    def _continuation_request(self, item, urls):
        index = item.portal_index
        if self.scheduled[index] >= self.max_pages:
            self.crawler.stats.inc_value("nianbao/budget_exhausted")
            item.errors.append(f"{len(urls)} continuation page(s) not fetched: page budget exhausted")
            return self._candidate(item)
        self.scheduled[index] += 1
        self.seen.add(urls[0])
        return scrapy.Request(urls[0], callback=self.parse_continuation, errback=self.on_continuation_error,
                              priority=95, meta={"item": item, "pending": urls[1:], "portal": item.portal_index, "hops": 0})

    def parse_continuation(self, response):
        self.crawler.stats.inc_value("nianbao/pages_fetched")
        item = response.meta["item"]
        item.continuations.append(self._fetch_record(response))
        more = response.meta["pending"]
        yield self._continuation_request(item, more) if more else self._candidate(item)

    def on_continuation_error(self, failure):
        self.on_error(failure)
        item = failure.request.meta["item"]
        item.errors.append(f"continuation page {failure.request.url} not fetched: {self._error_kind(failure)}")
        return [self._candidate(item)]

    def _attachment_item(self, response):
        yield self._candidate(self._item(response, "attachment", response.meta.get("link_title", "")))

    # ------------------------------------------------------------------ following links

    def _follow(self, response, links, is_list: bool):
        for url, anchor, title in links:
            score = link_score(url, anchor, title)
            if score == 60 and not is_list:
                continue        # pagination only matters on lists of reports
            if score >= 100:
                year = title_year(anchor or title)
                if self.years and year and not self.years[0] <= year <= self.years[1]:
                    self.crawler.stats.inc_value("nianbao/out_of_years")
                    continue
            if score > 0:
                yield from self._request(response, url, score, title=anchor or title)

    def _request(self, response, url, score, title=""):
        index = response.meta["portal"]
        if urlsplit(url).scheme not in ("http", "https"):
            return
        if not host_allowed(urlsplit(url).hostname or "", self.domains[index]):
            self.crawler.stats.inc_value("nianbao/offsite_links_dropped")
            return
        hops = response.meta.get("hops", 0) + 1
        if hops > self.max_depth:
            self.crawler.stats.inc_value("nianbao/depth_limited")
            return
        url = url.split("#", 1)[0]
        if url in self.seen:
            return
        if self.scheduled[index] >= self.max_pages:
            self.crawler.stats.inc_value("nianbao/budget_exhausted")
            return
        self.seen.add(url)
        self.scheduled[index] += 1
        yield scrapy.Request(url, callback=self.parse_page, errback=self.on_error, priority=score - hops,
                             meta={"portal": index, "hops": hops, "link_title": title})

    @staticmethod
    def _lists_reports(links) -> bool:
        """A list of reports (or of report columns), whose pagination is worth following."""
        return sum(1 for u, a, t in links if link_score(u, a, t) >= 80) >= 2

    # ------------------------------------------------------------------ items

    @staticmethod
    def _is_attachment(response) -> bool:
        """A document, however it is served: by its name, its type, a download header
        (download.do?id=5 sent as application/octet-stream) or its first bytes."""
        ctype = response.headers.get("Content-Type", b"").decode("latin-1").lower()
        disposition = response.headers.get("Content-Disposition", b"").decode("latin-1").lower()
        return (urlsplit(response.url).path.lower().endswith(ATTACHMENT_EXTENSIONS)
                or any(t in ctype for t in ("pdf", "msword", "officedocument", "wps"))
                or any(ext in disposition for ext in ATTACHMENT_EXTENSIONS)
                or sniff_format(response.body[:8]) in ("pdf", "docx", "doc"))

    @staticmethod
    def _fetch_fields(response) -> dict:
        redirects = response.meta.get("redirect_urls") or [response.url]
        return {
            "url": redirects[0],
            "final_url": response.url,
            "status": response.status,
            "headers": {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()},
            "content_type": response.headers.get("Content-Type", b"").decode("latin-1"),
            "body": response.body,
        }

    def _fetch_record(self, response) -> Fetched:
        return Fetched(**self._fetch_fields(response))

    def _item(self, response, kind: str, title: str) -> ReportItem:
        index = response.meta["portal"]
        return ReportItem(**self._fetch_fields(response), kind=kind, title=title, portal_index=index,
                          portal=self.portals[index].as_dict())

    def _candidate(self, item):
        self.crawler.stats.inc_value("nianbao/candidates")
        return item

    # ------------------------------------------------------------------ errors

    def on_error(self, failure):
        kind = self._error_kind(failure)
        self.crawler.stats.inc_value(f"nianbao/errors/{kind}")
        self.logger.info("not fetched (%s): %s", kind, failure.request.url)

    @staticmethod
    def _error_kind(failure) -> str:
        if failure.check(HttpError):
            return f"http_{failure.value.response.status}"
        if failure.check(IgnoreRequest):
            return "robots_disallowed" if "robots" in str(failure.value).lower() else "ignored"
        if failure.check(DNSLookupError):
            return "dns"
        if failure.check(TimeoutError, TCPTimedOutError):
            return "timeout"
        if failure.check(ConnectionRefusedError):
            return "connection_refused"
        return failure.type.__name__ if failure.type else "unknown"
