"""`scrapy crawl reports`: find every 政府信息公开工作年度报告 a list of portals publishes.

    scrapy crawl reports [-a portals=PATH | -a start_urls=URL,URL] [-a years=2019-2025] [-a max_pages=N] [-a max_depth=N]

The decisions (which links, which pages) are pure functions in crawler.discover; this
spider only fetches, applies them and hands report pages and attachments to the pipelines.
"""
from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import FormRequest
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TCPTimedOutError, TimeoutError
from twisted.internet.threads import deferToThread

from crawler import limits, platforms, render
from crawler.attachments import IMAGE_EXTENSIONS, sniff_format
from crawler.decode import Decoded, decode_bytes
from crawler.discover import (
    ATTACHMENT_EXTENSIONS,
    Outline,
    absolute_links,
    classify_outline,
    classify_page,
    continuation_links,
    link_score,
    outline_html,
    pagination_urls,
    title_year,
)
from crawler.exc import ConfigError
from crawler.focus import ReportTrail, focused, lists_reports
from crawler.guard import RefusedRequest
from crawler.incremental import (
    ATTACHMENT,
    FAILED,
    NAV,
    REPORT,
    CrawlState,
    parse_max_age,
    parse_refresh,
    sha256,
)
from crawler.items import Fetched, ReportItem
from crawler.ocr import table_image_urls, tables_in_text
from crawler.portals import PortalListError, load_portals, parse_years, portals_from_urls
from crawler.scope import AddressPolicy, scope_refusal

INLINE_OUTLINE_BYTES = 256 * 1024      # bigger pages are read off the reactor
_REPORT_TEXT = ("收到和处理政府信息公开申请", "本年新收", "主动公开政府信息情况", "行政复议、行政诉讼")
# File names of list pages (a column titled "2021年度政府信息公开年报" paged index_1.html …), never articles.
_LIST_PAGE_NAMES = ("index", "list", "default", "more")


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
        spider.allowed_domains = sorted(set().union(*spider.domains))
        spider.scheduled = [0] * len(spider.portals)
        spider.rendered = [0] * len(spider.portals)
        spider.render_budget = settings.getint("RENDER_MAX_PAGES", 3)
        spider.render_unavailable = settings.get("RENDER_UNAVAILABLE")
        spider.seen: set[str] = set()      # so the page budget counts each URL once
        spider.trails = [ReportTrail() for _ in spider.portals]    # where each portal lists its reports
        spider.page_max_bytes = settings.getint("PAGE_MAX_BYTES", limits.PAGE_MAX_BYTES)
        spider.page_max_links = settings.getint("PAGE_MAX_LINKS", limits.PAGE_MAX_LINKS)
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
        for index, portal in enumerate(self.portals):
            self.scheduled[index] += 1
            self.seen.add(portal.start_url)
            for request in self._visit(portal.start_url, 100, {"portal": index, "hops": 0}, start=True):
                yield request

    # ------------------------------------------------------------------ callbacks

    def parse_page(self, response):
        self._fetched(response)
        if self._unchanged(response):
            return self._replay(response, response.meta["known"])
        if self._is_attachment(response):
            return self._attachment_item(response)
        ctype = response.headers.get("Content-Type", b"").decode("latin-1")
        if platforms.is_data(ctype, response.body):     # a JSON/XML list reached as a link
            return self._listed(response, self._read_list(response, platforms.data_listing, response.url,
                                                          decode_bytes(response.body, ctype).text))
        if len(response.body) > INLINE_OUTLINE_BYTES:
            return self._page_read_in_thread(response)
        return self._page(response, self._read(response))

    async def _page_read_in_thread(self, response):
        """A big page is read in a thread: the reactor keeps fetching meanwhile."""
        read = await maybe_deferred_to_future(deferToThread(self._read, response))
        for result in self._page(response, read):
            yield result

    def _read(self, response) -> tuple[Decoded, Outline] | Exception:
        """The page's text, title and links, from at most PAGE_MAX_BYTES of it (the item keeps
        every byte for the parser); the exception when it cannot be read."""
        body = response.body
        if len(body) > self.page_max_bytes:
            self.crawler.stats.inc_value("nianbao/limited/page_bytes")
            body = body[:self.page_max_bytes]
        try:
            decoded = decode_bytes(body, response.headers.get("Content-Type", b"").decode("latin-1"))
            return decoded, outline_html(decoded.text)
        except Exception as exc:
            return exc

    def _page(self, response, read: tuple[Decoded, Outline] | Exception):
        try:
            if isinstance(read, Exception):
                raise read
            decoded, outline = read
            kind = classify_outline(outline)
        except Exception as exc:     # keep the bytes: the page is stored and can be re-parsed later
            self.crawler.stats.inc_value("nianbao/errors/page_unreadable")
            item = self._item(response, "page", "")
            item.errors.append(f"spider could not read the page: {exc.__class__.__name__}: {exc}")
            yield self._candidate(item)
            return
        self.crawler.stats.inc_value(f"nianbao/pages/{kind}")
        base = urljoin(response.url, outline.base)
        if len(outline.links) > self.page_max_links:
            self.crawler.stats.inc_value("nianbao/limited/page_links")
        links = absolute_links(base, outline.links[:self.page_max_links])
        if kind == "report" or self._first_of_split_report(response, outline, links):
            yield from self._report(response, outline, links)
            return
        listing = self._read_list(response, platforms.page_listing, response.url, decoded.text)
        for name in listing.platforms:
            self.crawler.stats.inc_value(f"nianbao/platforms/{name}")
        links += [(e.url, e.title, "") for e in listing.entries]
        scored = [(u, a, t, link_score(u, a, t)) for u, a, t in links]       # each link scored once
        scores = [score for *_, score in scored]
        fresh = [score for u, _, _, score in scored if u.split("#", 1)[0] not in self.seen]
        is_list = kind == "index" or lists_reports(scored)
        if is_list:
            self.trails[response.meta["portal"]].learn(response.url, response.meta.get("link_title", ""))
        pagination = pagination_urls(response.url, outline.html) if is_list else []
        followed_scored = [link for link in scored if link[3] > 0]
        followed = [link[:3] for link in followed_scored]
        # a page with a platform's list requests is fetched anew each run: its list answers change, not it
        self.crawl_state.record_page(response, NAV, followed, pagination, is_list, response.meta.get("paginated"),
                                     listing=bool(listing.requests))
        yield from self._walk(response, followed, is_list, pagination, self._new_entries_only(response, followed),
                              scored=followed_scored)
        # a list widget that embeds nothing is worth asking only on a page reached as a report list
        reached_as_list = not listing.entries and (response.meta.get("score") or 0) >= 80
        yield from self._list_requests(response, listing.requests, is_list or reached_as_list,
                                       [(e.url, e.title, "") for e in listing.entries])
        if not listing and not response.meta.get("rendered") and render.looks_unrendered(
                decoded.text, scores, fresh, response.meta.get("score"), (outline.title, response.meta.get("link_title", ""))):
            yield from self._render(response)

    def parse_listing(self, response):
        """The answer to a platform's list request (a data-proxy POST, an API call)."""
        self._fetched(response)
        text = decode_bytes(response.body, response.headers.get("Content-Type", b"").decode("latin-1")).text
        yield from self._listed(response, self._read_list(response, platforms.read_listing, response.meta["list_request"], text))

    def _read_list(self, response, reader, *args) -> platforms.Listing:
        """An adapter's reading of a page or answer; one that fails costs its entries, not the crawl."""
        try:
            return reader(*args)
        except Exception as exc:
            self.crawler.stats.inc_value("nianbao/errors/list_unreadable")
            self.logger.info("list unreadable (%s: %s): %s", exc.__class__.__name__, exc, response.url)
            return platforms.Listing()

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
        yield scrapy.Request(response.url, callback=self.parse_page, errback=self.on_error, dont_filter=True, priority=60,
                             meta={**render.render_meta(self.portals[index].start_url, self.domains[index]), "portal": index, "kind": "rendered",
                                   "rendered": True, "hops": response.meta.get("hops", 0),
                                   "score": response.meta.get("score"), "link_title": response.meta.get("link_title", "")})

    def _report(self, response, outline, links):
        year = title_year(outline.title)
        if self.years and year and not self.years[0] <= year <= self.years[1]:
            self.crawler.stats.inc_value("nianbao/out_of_years")
            return
        attachments = [(u, a, outline.title) for u, a, t in links if urlsplit(u).path.lower().endswith(ATTACHMENT_EXTENSIONS)]
        # other reports linked from this one (previous years, departments)
        linked = [(u, a, t) for u, a, t in links if link_score(u, a, t) >= 80]
        yield from self._report_links(response, attachments + linked)
        has_report_text = any(marker in outline.text for marker in _REPORT_TEXT)
        if attachments and not has_report_text:
            self.crawl_state.record_page(response, REPORT, attachments + linked)
            return      # a wrapper page: the report is in the attachment
        item = self._item(response, "page", outline.title)
        rest = self._continuations(response, outline, links)
        # tables published as pictures: fetched with the page, read by OCR when it is parsed
        if not tables_in_text(outline.text):
            pictures = table_image_urls(outline.html, urljoin(response.url, outline.base))
            rest += [u for u in pictures if u not in rest and u != response.url]
        if rest:
            yield self._continuation_request(item, rest)
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
        return scrapy.Request(urls[0], callback=self.parse_continuation, errback=self.on_continuation_error,
                              priority=95, meta={"item": item, "pending": urls[1:], "portal": item.portal_index, "hops": 0,
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

    def _attachment_item(self, response):
        yield self._candidate(self._item(response, "attachment", response.meta.get("link_title", "")))

    # ------------------------------------------------------------------ following links

    def _follow(self, response, links, is_list: bool, scored=None):
        """`scored`: the links with their link_score, when the caller has them already."""
        trail = self.trails[response.meta["portal"]]
        if scored is None:
            scored = [(url, anchor, title, link_score(url, anchor, title)) for url, anchor, title in links]
        for url, anchor, title, score in focused(scored, lambda u: u.split("#", 1)[0] not in self.seen):
            score = trail.score(url, anchor or title, score)
            if score == 60 and not is_list:
                continue        # pagination only matters on lists of reports
            if score >= 100:
                year = title_year(anchor or title)
                if self.years and year and not self.years[0] <= year <= self.years[1]:
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
        callback = callback or self.parse_page
        if method == "POST":
            yield FormRequest(url, formdata=form or {}, callback=callback, errback=self.on_error, priority=score - hops, meta=meta)
        elif callback != self.parse_page:       # a platform's list answer: asked every run
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

    def _first_of_split_report(self, response, outline, links) -> bool:
        """Page 1 of an article split over pages whose title names a report is a report page, whatever
        part of the report it holds (even none of table 三's markers, or a sidebar that makes it look
        like a list)."""
        name = urlsplit(response.url).path.rsplit("/", 1)[-1].split(".")[0].split("_")[0].lower()
        return (name not in ("", *_LIST_PAGE_NAMES) and classify_page(outline.title) == "report"
                and bool(self._continuations(response, outline, links)))

    @staticmethod
    def _continuations(response, outline, links) -> list[str]:
        """The later pages of this article: linked (下一页, 2) or, on TRS sites, written by
        createPageHTML(2, 0, "t2021…_1", "html")."""
        rest = continuation_links(response.url, [(u, a) for u, a, _ in links])
        own = urlsplit(response.url).path.rsplit(".", 1)[0] + "_"      # not a list widget's pages
        return rest + [u for u in pagination_urls(response.url, outline.html) if urlsplit(u).path.startswith(own) and u not in rest]

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
        yield scrapy.Request(url, callback=self.parse_page, errback=self.on_error, priority=priority, headers=headers,
                             meta=meta)

    def _unchanged(self, response) -> bool:
        known = response.meta.get("known")
        if known is None:
            return False
        if response.status == 304:
            self.crawler.stats.inc_value("nianbao/not_modified")
        elif known["sha256"] == sha256(response.body):
            self.crawler.stats.inc_value("nianbao/unchanged")
        else:
            self.crawler.stats.inc_value("nianbao/changed_pages")
            return False
        self.crawl_state.record_unchanged(response.meta.get("redirect_urls", [response.url])[0])
        return True

    def _replay(self, response, known: dict):
        """Walk a page's stored links as if it had been fetched again."""
        if known["kind"] == NAV:
            yield from self._walk(response, known["links"], known["is_list"], known["pagination"])
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
    def _is_attachment(response) -> bool:
        """A document, however it is served: by its name, its type, a download header
        (download.do?id=5 sent as application/octet-stream) or its first bytes."""
        ctype = response.headers.get("Content-Type", b"").decode("latin-1").lower()
        disposition = response.headers.get("Content-Disposition", b"").decode("latin-1").lower()
        return (urlsplit(response.url).path.lower().endswith(ATTACHMENT_EXTENSIONS)
                or any(t in ctype for t in ("pdf", "msword", "officedocument", "wps", "excel", "ofd"))
                or any(ext in disposition for ext in ATTACHMENT_EXTENSIONS)
                or sniff_format(response.body[:8]) in ("pdf", "docx", "doc", "xls"))

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
        self.crawl_state.record_page(response, ATTACHMENT if kind == "attachment" else REPORT)
        return ReportItem(**self._fetch_fields(response), kind=kind, title=title, portal_index=index,
                          portal=self.portals[index].as_dict())

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
