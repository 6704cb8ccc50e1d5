"""`scrapy crawl reports`: find every 政府信息公开工作年度报告 a list of portals publishes.

    scrapy crawl reports [-a portals=PATH | -a start_urls=URL,URL] [-a years=2019-2025] [-a max_pages=N] [-a max_depth=N]

The decisions (which links, which pages) are pure functions in crawler.discover; this
spider only fetches, applies them and hands report pages and attachments to the pipelines.
"""
from __future__ import annotations

import gc
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import FormRequest
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TCPTimedOutError, TimeoutError

from crawler import limits, platforms, render
from crawler.attachments import IMAGE_EXTENSIONS
from crawler.decode import decode_bytes
from crawler.discover import (
    ATTACHMENT_EXTENSIONS,
    column_year,
    link_score,
    title_year,
)
from crawler.exc import ConfigError
from crawler.focus import WEAK_SCORE, ReportTrail, focused, lists_reports
from crawler.guard import RefusedRequest
from crawler.incremental import (
    ATTACHMENT,
    FAILED,
    NAV,
    REPORT,
    CrawlState,
    parse_max_age,
    parse_refresh,
)
from crawler.items import Fetched, ReportItem
from crawler.pageread import PageRead, PageReader, read_response
from crawler.portals import PortalListError, load_portals, parse_years, portals_from_urls
from crawler.scope import AddressPolicy, scope_refusal


def settle_memory(threshold: int) -> None:
    """Freeze what start-up made and collect the young generation every `threshold` allocations
    (see GC_THRESHOLD in crawler.settings); 0 leaves Python's collector as it is."""
    if threshold > 0:
        gc.collect()
        gc.freeze()
        gc.set_threshold(threshold, *gc.get_threshold()[1:])


def _positive_int(name: str, value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise PortalListError(f"{name} must be a positive whole number, not {value!r}")
    return number


def _continuation_kind(url: str) -> str:
    """'image' for a picture of the report's tables, else 'continuation' (a later page)."""
    return "image" if urlsplit(url).path.lower().endswith(IMAGE_EXTENSIONS) else "continuation"


class ReportsSpider(scrapy.Spider):
    name = "reports"

    def __init__(self, portals=None, start_urls=None, years=None, max_pages=None, max_depth=None, refresh=None,
                 max_age=None, **kwargs):
        super().__init__(**kwargs)
        self._portals_arg, self._start_urls_arg = portals, start_urls
        self._refresh_arg, self._max_age_arg = refresh, max_age
        self._years_arg, self._max_pages_arg, self._max_depth_arg = years, max_pages, max_depth

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        render.configure(settings)

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.config_error = None
        spider.crawl_state = CrawlState.of(crawler)
        try:
            if spider._start_urls_arg:
                spider.portals = portals_from_urls(spider._start_urls_arg)
            else:
                spider.portals = load_portals(spider._portals_arg or settings.get("PORTALS_FILE"))
            spider.years = parse_years(spider._years_arg if spider._years_arg is not None else settings.get("REPORT_YEARS"))
            spider.max_pages = _positive_int("max_pages", spider._max_pages_arg or settings.getint("PORTAL_MAX_PAGES", 300))
            spider.max_depth = _positive_int("max_depth", spider._max_depth_arg or settings.getint("PORTAL_MAX_DEPTH", 8))
            spider.crawl_state.configure(parse_refresh(spider._refresh_arg), parse_max_age(spider._max_age_arg))
        except ConfigError as exc:
            # reported by start(); a traceback would bury the one line the user needs
            spider.config_error, spider.portals, spider.years = str(exc), [], None
            spider.max_pages = spider.max_depth = 0
        spider.domains = [p.domains for p in spider.portals]
        spider.portal_dicts = [p.as_dict() for p in spider.portals]
        spider.allowed_domains = sorted(set().union(*spider.domains))
        spider.scheduled = [0] * len(spider.portals)
        spider.rendered = [0] * len(spider.portals)
        spider.render_budget = settings.getint("RENDER_MAX_PAGES", 3)
        spider.render_unavailable = settings.get("RENDER_UNAVAILABLE")
        spider.seen: set[str] = set()      # so the page budget counts each URL once
        spider.trails = [ReportTrail() for _ in spider.portals]    # where each portal lists its reports
        spider.page_max_bytes = settings.getint("PAGE_MAX_BYTES", limits.PAGE_MAX_BYTES)
        spider.page_max_links = settings.getint("PAGE_MAX_LINKS", limits.PAGE_MAX_LINKS)
        spider.reader = PageReader(spider.page_max_bytes, spider.page_max_links,
                                   settings.getint("PARSE_MEMORY_MB", limits.PARSE_MEMORY_MB),
                                   settings.getint("PAGE_READ_TIMEOUT", limits.PAGE_READ_TIMEOUT))
        spider.address_policy = AddressPolicy.for_crawl(settings.get("ALLOW_PRIVATE_ADDRESSES"),
                                                        [p.start_url for p in spider.portals])
        return spider

    def arguments(self) -> dict:
        return {"portals": self._portals_arg, "start_urls": self._start_urls_arg, "years": self._years_arg,
                "max_pages": self.max_pages, "max_depth": self.max_depth, "portal_count": len(self.portals),
                "refresh": self._refresh_arg, "max_age": self._max_age_arg}

    async def start(self):
        if self.config_error:
            self.logger.error(self.config_error)
            self.crawler.stats.set_value("nianbao/config_error", self.config_error)
            return
        self.crawler.stats.set_value("nianbao/portals", len(self.portals))
        self.crawler.stats.set_value("nianbao/portal_names", [p.agency for p in self.portals])
        self.reader.start()
        settle_memory(self.crawler.settings.getint("GC_THRESHOLD", 0))
        for index, portal in enumerate(self.portals):
            self.scheduled[index] += 1
            self.seen.add(portal.start_url)
            for request in self._visit(portal.start_url, 100, {"portal": index, "hops": 0}, start=True):
                yield request

    def closed(self, reason):
        self.reader.close()

    # ------------------------------------------------------------------ callbacks

    async def crawl_page(self, response):
        """The requests' callback: the page is read in the page-reader process (crawler.pageread), so that
        the reactor thread only fetches and decides."""
        read = await maybe_deferred_to_future(self.reader.read(response))
        return list(self.parse_page(response, read))

    def parse_page(self, response, read: PageRead | None = None):
        """The page's requests and items, from `read` (read here when not given)."""
        if read is None:
            read = read_response(response, self.page_max_bytes, self.page_max_links)
        self._fetched(response)
        if self._unchanged(response, read):
            return self._replay(response, response.meta["known"])
        if read.attachment:
            return self._attachment_item(response, read.sha256)
        if read.data:      # a JSON/XML list reached as a link
            return self._listed(response, self._listing(response, read.listing, read.listing_error))
        return self._page(response, read)

    def _page(self, response, read: PageRead):
        stats = self.crawler.stats
        if read.bytes_limited:
            stats.inc_value("nianbao/limited/page_bytes")
        if read.error is not None:      # keep the bytes: the page is stored and can be re-parsed later
            stats.inc_value("nianbao/errors/page_unreadable")
            item = self._item(response, "page", "", read.sha256)
            item.errors.append(f"spider could not read the page: {read.error}")
            yield self._candidate(item)
            return
        stats.inc_value(f"nianbao/pages/{read.kind}")
        if read.links_limited:
            stats.inc_value("nianbao/limited/page_links")
        if read.report is not None:
            yield from self._report(response, read)
            return
        listing = self._listing(response, read.listing, read.listing_error)
        for name in listing.platforms:
            stats.inc_value(f"nianbao/platforms/{name}")
        if read.is_list:
            self.trails[response.meta["portal"]].learn(response.url, response.meta.get("link_title", ""))
        followed = [link[:3] for link in read.followed]
        # a page with a platform's list requests is fetched anew each run: its list answers change, not it;
        # its links are kept with their scores, which depended on the page (discover.page_context)
        self.crawl_state.record_page(response, NAV, read.followed, read.pagination, read.is_list, response.meta.get("paginated"),
                                     listing=bool(listing.requests), digest=read.sha256)
        yield from self._walk(response, followed, read.is_list, read.pagination, self._new_entries_only(response, followed),
                              scored=read.followed)
        # a list widget that embeds nothing is worth asking only on a page reached as a report list
        reached_as_list = not listing.entries and (response.meta.get("score") or 0) >= 80
        yield from self._list_requests(response, listing.requests, read.is_list or reached_as_list,
                                       [(e.url, e.title, "") for e in listing.entries])
        if not listing and not response.meta.get("rendered"):
            fresh = [score for u, _, _, score in read.followed if u.split("#", 1)[0] not in self.seen]
            if render.looks_unrendered(read.runs_scripts, [score for *_, score in read.followed], fresh, response.meta.get("score"),
                                       (read.title, response.meta.get("link_title", ""))):
                yield from self._render(response)

    def parse_listing(self, response):
        """The answer to a platform's list request (a data-proxy POST, an API call)."""
        self._fetched(response)
        listing, error = None, None
        try:
            text = decode_bytes(response.body, response.headers.get("Content-Type", b"").decode("latin-1")).text
            listing = platforms.read_listing(response.meta["list_request"], text)
        except Exception as exc:
            error = f"{exc.__class__.__name__}: {exc}"
        yield from self._listed(response, self._listing(response, listing, error))

    def _listing(self, response, listing: platforms.Listing | None, error: str | None) -> platforms.Listing:
        """An adapter's reading of a page or answer; one that failed costs its entries, not the crawl."""
        if error is not None:
            self.crawler.stats.inc_value("nianbao/errors/list_unreadable")
            self.logger.info("list unreadable (%s): %s", error, response.url)
        return listing or platforms.Listing()

    def _listed(self, response, listing):
        """Follow a list's entries like links, and its next parts while it lists reports."""
        if not listing:
            self.crawler.stats.inc_value("nianbao/lists_empty")
        links = [(e.url, e.title, "") for e in listing.entries]
        lists_reports = self._lists_reports(links)
        yield from self._follow(response, links, is_list=lists_reports)
        yield from self._list_requests(response, listing.requests, lists_reports, links)

    def _list_requests(self, response, requests, lists_reports: bool, entries=()):
        past_known = any(self._reached_known_entry(entries))
        for request in requests:
            if request.next_page and not lists_reports:
                continue        # a further part of a list that names no report
            if request.next_page and past_known:
                self.crawler.stats.inc_value("nianbao/list_parts_not_walked")
                continue        # lists are newest first: past a report an earlier run stored, nothing is new
            yield from self._request(response, request.url, score=75, kind=request.kind, key=request.key,
                                     callback=self.parse_listing, method=request.method, form=request.form,
                                     meta={"list_request": request})

    def _render(self, response):
        """Fetch the page again through the browser, whose DOM is read like any page."""
        index = response.meta["portal"]
        if self.render_unavailable:
            self.crawler.stats.inc_value("nianbao/render/skipped")
            self.crawler.stats.set_value("nianbao/render/unavailable", self.render_unavailable)
            self.logger.info("not rendered (%s): %s", self.render_unavailable, response.url)
            return
        if self.rendered[index] >= self.render_budget:
            self.crawler.stats.inc_value("nianbao/render/budget_exhausted")
            return
        if not self.spend_page(index):
            return
        self.rendered[index] += 1
        yield scrapy.Request(response.url, callback=self.crawl_page, errback=self.on_error, dont_filter=True, priority=60,
                             meta={**render.render_meta(self.portals[index].start_url, self.domains[index]), "portal": index, "kind": "rendered",
                                   "rendered": True, "hops": response.meta.get("hops", 0),
                                   "score": response.meta.get("score"), "link_title": response.meta.get("link_title", "")})

    def _report(self, response, read: PageRead):
        report = read.report
        if self.years and report.year and not self.years[0] <= report.year <= self.years[1]:
            self.crawler.stats.inc_value("nianbao/out_of_years")
            return
        yield from self._report_links(response, report.attachments + report.linked)
        if report.attachments and not report.has_report_text:
            self.crawl_state.record_page(response, REPORT, report.attachments + report.linked, digest=read.sha256)
            return      # a wrapper page: the report is in the attachment
        item = self._item(response, "page", read.title, read.sha256)
        if report.later_pages:
            yield self._continuation_request(item, report.later_pages)
        else:
            yield self._candidate(item)

    def _report_links(self, response, links):
        for url, _anchor, title in links:
            if urlsplit(url).path.lower().endswith(ATTACHMENT_EXTENSIONS):
                yield from self._request(response, url, score=90, title=title)
        yield from self._follow(response, [link for link in links
                                           if not urlsplit(link[0]).path.lower().endswith(ATTACHMENT_EXTENSIONS)], is_list=False)

    def _continuation_request(self, item, urls):
        index = item.portal_index
        if not self.spend_page(index):
            item.errors.append(f"{len(urls)} continuation page(s) not fetched: page budget exhausted")
            return self._candidate(item)
        self.seen.add(urls[0])
        # never dropped as a duplicate (a picture or a later page another report shares): the item
        # travels with the request and would be lost with it
        return scrapy.Request(urls[0], callback=self.parse_continuation, errback=self.on_continuation_error,
                              dont_filter=True, priority=95, meta={"item": item, "pending": urls[1:], "portal": item.portal_index, "hops": 0,
                                                 "kind": _continuation_kind(urls[0])})

    def parse_continuation(self, response):
        self._fetched(response)
        item = response.meta["item"]
        item.continuations.append(self._fetch_record(response))
        more = response.meta["pending"]
        yield self._continuation_request(item, more) if more else self._candidate(item)

    def on_continuation_error(self, failure):
        self.on_error(failure)
        item = failure.request.meta["item"]
        item.errors.append(f"continuation page {failure.request.url} not fetched: {self._error_kind(failure)}")
        more = failure.request.meta["pending"]
        return [self._continuation_request(item, more) if more else self._candidate(item)]

    def _attachment_item(self, response, digest: str | None = None):
        yield self._candidate(self._item(response, "attachment", response.meta.get("link_title", ""), digest))

    # ------------------------------------------------------------------ following links

    def _follow(self, response, links, is_list: bool, scored=None):
        """`scored`: the links with their link_score, when the caller has them already."""
        trail = self.trails[response.meta["portal"]]
        if scored is None:
            scored = [(url, anchor, title, link_score(url, anchor, title)) for url, anchor, title in links]
        # a list of reports, or a column reached as one known only by its URL, repeats its section's
        # columns in a sidebar (an agency's own home, reached by its name, decides about them)
        sidebar_only = is_list or response.meta.get("score") == WEAK_SCORE
        for url, anchor, title, score in focused(scored, lambda u: u.split("#", 1)[0] not in self.seen, sidebar_only):
            score = trail.score(url, anchor or title, score)
            if score == 60 and not is_list:
                continue        # pagination only matters on lists of reports
            if score >= 80 and self.years:     # a report, or a column of one year's reports (年报 > 2017年)
                # a column may be named for the year its reports were published in: one year's leeway
                year = column_year(anchor or title)
                leeway = 1 if year else 0
                year = year or title_year(anchor or title)
                if year and not self.years[0] <= year <= self.years[1] + leeway:
                    self.crawler.stats.inc_value("nianbao/out_of_years")
                    continue
            if score > 0:
                yield from self._request(response, url, score, title=anchor or title, paginated=score == 60)

    def _walk(self, response, links, is_list: bool, pagination, check_pages: bool = False, scored=None):
        yield from self._follow(response, links, is_list=is_list, scored=scored)
        for url in pagination:
            yield from self._request(response, url, score=70, paginated=True, force_check=check_pages)

    def _request(self, response, url, score, title="", kind="page", key=None, callback=None, method="GET", form=None,
                 meta=None, paginated=False, force_check=False):
        """Schedule a request of any kind (a page, a proxy POST, an API call) within the portal's
        page budget and depth limit, each URL (or POST) once."""
        index = response.meta["portal"]
        if urlsplit(url).scheme not in ("http", "https"):
            return
        if scope_refusal(url, self.portals[index].start_url, self.domains[index]):      # another host, port or scheme
            self.crawler.stats.inc_value("nianbao/offsite_links_dropped")
            return
        hops = response.meta.get("hops", 0) + 1
        if hops > self.max_depth:
            self.crawler.stats.inc_value("nianbao/depth_limited")
            return
        url = url.split("#", 1)[0]
        key = key or url
        if key in self.seen:
            return
        if not self.spend_page(index):
            return
        self.seen.add(key)
        if kind == "page" and urlsplit(url).path.lower().endswith(ATTACHMENT_EXTENSIONS):
            kind = "attachment"
        meta = {"portal": index, "hops": hops, "link_title": title, "score": score, "kind": kind, **(meta or {})}
        callback = callback or self.crawl_page
        if method == "POST":
            yield FormRequest(url, formdata=form or {}, callback=callback, errback=self.on_error, priority=score - hops, meta=meta)
        elif callback != self.crawl_page:       # a platform's list answer: asked every run
            yield scrapy.Request(url, callback=callback, errback=self.on_error, priority=score - hops, meta=meta)
        else:
            yield from self._visit(url, score - hops, {**meta, "paginated": paginated}, force_check=force_check)

    def spend_page(self, index: int) -> bool:
        """One request of the portal's page budget, whatever its kind (redirect hops too, taken by
        crawler.guard); False when it is spent."""
        if self.scheduled[index] >= self.max_pages:
            self.crawler.stats.inc_value("nianbao/budget_exhausted")
            return False
        self.scheduled[index] += 1
        return True

    def _fetched(self, response):
        self.crawler.stats.inc_value("nianbao/pages_fetched")
        self.crawler.stats.inc_value(f"nianbao/requests/{response.meta.get('kind', 'page')}")

    # ------------------------------------------------------------------ incremental re-crawls (crawler.incremental)

    def _visit(self, url, priority, meta, start=False, force_check=False):
        """Fetch `url`, or check it conditionally, or walk its stored links, or skip it: known report
        pages and attachments are not downloaded again, unchanged lists not walked past known entries."""
        stats = self.crawler.stats
        action, known = self.crawl_state.plan(url, start=start, force_check=force_check)
        if action == "skip":
            stats.inc_value("nianbao/skipped_known")
            if known.stored:
                stats.inc_value(f"nianbao/portal_reports/{self.portals[meta['portal']].agency}")
            return
        if action == "replay":
            stats.inc_value("nianbao/replayed")
            yield from self._replay(_Replayed(url, meta), known.meta())
            return
        headers = {}
        if action == "check":
            stats.inc_value("nianbao/conditional_requests")
            headers = known.conditional_headers()
            meta = {**meta, "known": known.meta(), "handle_httpstatus_list": [304]}
        if known is not None and known.kind == FAILED:
            meta = {**meta, "max_retry_times": 0}      # failed last time: one try, not a round of retries
        yield scrapy.Request(url, callback=self.crawl_page, errback=self.on_error, priority=priority, headers=headers,
                             meta=meta)

    def _unchanged(self, response, read: PageRead) -> bool:
        if "known" not in response.meta:
            return False
        if not read.unchanged:
            self.crawler.stats.inc_value("nianbao/changed_pages")
            return False
        self.crawler.stats.inc_value("nianbao/not_modified" if response.status == 304 else "nianbao/unchanged")
        self.crawl_state.record_unchanged(response.meta.get("redirect_urls", [response.url])[0])
        return True

    def _replay(self, response, known: dict):
        """Walk a page's stored links as if it had been fetched again."""
        if known["kind"] == NAV:
            links = known["links"]
            scored = [tuple(link) for link in links] if links and len(links[0]) == 4 else None     # older crawls: unscored
            yield from self._walk(response, [link[:3] for link in links], known["is_list"], known["pagination"], scored=scored)
        elif known["kind"] == REPORT:
            yield from self._report_links(response, known["links"])

    def _reached_known_entry(self, links):
        """The list's reports that an earlier run already stored."""
        run_id = self.crawl_state.run_id
        return (u for u, a, t in links
                if link_score(u, a, t) >= 100 and self.crawl_state.known.stored_before_run(u.split("#", 1)[0], run_id))

    def _new_entries_only(self, response, links) -> bool:
        """A changed list whose entries are all new: its next pages may hold new entries too, so they
        are checked instead of replayed (lists are newest first; past a known entry nothing is new)."""
        if "known" not in response.meta:
            return False
        return not any(self.crawl_state.known.stored(u) for u, a, t in links if link_score(u, a, t) >= 100)

    @staticmethod
    def _lists_reports(links) -> bool:
        """A list of reports (or of report columns), whose pagination is worth following."""
        return lists_reports([(u, a, t, link_score(u, a, t)) for u, a, t in links])

    # ------------------------------------------------------------------ items

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

    def _item(self, response, kind: str, title: str, digest: str | None = None) -> ReportItem:
        index = response.meta["portal"]
        self.crawl_state.record_page(response, ATTACHMENT if kind == "attachment" else REPORT, digest=digest)
        return ReportItem(**self._fetch_fields(response), kind=kind, title=title, portal_index=index,
                          portal=dict(self.portal_dicts[index]))

    def _candidate(self, item):
        self.crawler.stats.inc_value("nianbao/candidates")
        return item

    # ------------------------------------------------------------------ errors

    def on_error(self, failure):
        if failure.check(RefusedRequest):       # counted by the guard, under nianbao/refused/
            self.logger.info("refused (%s): %s", failure.value.reason, failure.request.url)
            return
        kind = self._error_kind(failure)
        self.crawler.stats.inc_value(f"nianbao/errors/{kind}")
        if failure.check(HttpError):
            self.crawl_state.record_failure(failure.request.url, failure.value.response.status)
        self.logger.info("not fetched (%s): %s", kind, failure.request.url)

    @staticmethod
    def _error_kind(failure) -> str:
        if failure.check(RefusedRequest):
            return f"refused ({failure.value.reason})"
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


class _Replayed:
    """Stands in for the response of a page whose stored links are walked without fetching it."""

    def __init__(self, url: str, meta: dict):
        self.url, self.meta = url, meta
