"""A fetched page read for the spider's decisions: everything about it that depends on the page
alone (its kind, title and links with their scores, the lists platforms embed in it, its
pagination; for a report, its attachments and later pages). The crawl reads pages in a process
of its own (PageReader): decoding, lxml and the text walk are CPU work that, in a thread, would
still hold the reactor's interpreter lock. The reactor thread only fetches and applies the
decisions against the crawl's state (what was seen, page budgets, a portal's trail of report
lists)."""
from __future__ import annotations

import functools
import multiprocessing
import resource
import threading
import time
from collections import deque
from concurrent.futures import BrokenExecutor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from . import limits, platforms, render
from .attachments import sniff_format
from .decode import decode_bytes
from .discover import (
    ATTACHMENT_EXTENSIONS,
    absolute_links,
    classify_outline,
    classify_page,
    continuation_links,
    link_score,
    outline_html,
    page_context,
    pagination_urls,
    title_year,
)
from .focus import lists_reports
from .lifeline import exit_with_parent
from .ocr import table_image_urls, tables_in_text
from .store import sha256
from .writer import deferred_from_future

Link = tuple[str, str, str]                 # (absolute URL, anchor text, title)
ScoredLink = tuple[str, str, str, int]      # … and its link_score

_REPORT_TEXT = ("收到和处理政府信息公开申请", "本年新收", "主动公开政府信息情况", "行政复议、行政诉讼")
# File names of list pages (a column titled "2021年度政府信息公开年报" paged index_1.html …), never articles.
_LIST_PAGE_NAMES = ("index", "list", "default", "more")
_DOCUMENT_TYPES = ("pdf", "msword", "officedocument", "wps", "excel", "ofd")


@dataclass
class ReportRead:
    """A report page: the report is in it, in its attachments, or continued on later pages."""
    year: int | None
    attachments: list[Link]
    linked: list[Link]              # other reports linked from it (previous years, departments)
    has_report_text: bool
    later_pages: list[str]          # the article's later pages, then pictures of its tables


@dataclass
class PageRead:
    sha256: str
    unchanged: bool = False         # the bytes the last crawl stored: nothing else was read
    attachment: bool = False
    data: bool = False              # a JSON or XML list reached as a link
    listing: platforms.Listing | None = None    # what the platform adapters found in it
    listing_error: str | None = None            # an adapter that failed: "Error: message"
    error: str | None = None        # an HTML page that could not be read: "Error: message"
    bytes_limited: bool = False     # only PAGE_MAX_BYTES of it were read
    links_limited: bool = False     # only PAGE_MAX_LINKS of its links were kept
    kind: str = ""                  # classify_outline's: report | lookalike | index | other
    title: str = ""
    runs_scripts: bool = False      # a list only a browser may build (crawler.render)
    report: ReportRead | None = None
    followed: list[ScoredLink] = field(default_factory=list)    # its links and list entries worth following
    is_list: bool = False           # a list of reports or report columns
    pagination: list[str] = field(default_factory=list)


def is_attachment(url: str, content_type: str, disposition: str, body: bytes) -> bool:
    """A document, however it is served: by its name, its type, a download header
    (download.do?id=5 sent as application/octet-stream) or its first bytes."""
    content_type, disposition = content_type.lower(), disposition.lower()
    return (urlsplit(url).path.lower().endswith(ATTACHMENT_EXTENSIONS)
            or any(t in content_type for t in _DOCUMENT_TYPES)
            or any(ext in disposition for ext in ATTACHMENT_EXTENSIONS)
            or sniff_format(body[:8]) in ("pdf", "docx", "doc", "xls"))


def read_page(url: str, status: int, body: bytes, content_type: str, disposition: str, max_bytes: int,
              max_links: int, known_sha256: str | None = None) -> PageRead:
    """Everything the spider decides a page by. Never raises: a page that cannot be read is a
    PageRead with its error, and the spider stores its bytes for a later parse."""
    digest = sha256(body)
    if known_sha256 is not None and (status == 304 or digest == known_sha256):
        return PageRead(digest, unchanged=True)
    if is_attachment(url, content_type, disposition, body):
        return PageRead(digest, attachment=True)
    if platforms.is_data(content_type, body):
        read = PageRead(digest, data=True)
        _read_listing(read, _data_listing, url, body, content_type)
        return read
    read = PageRead(digest, bytes_limited=len(body) > max_bytes)
    try:
        _read_html(read, url, body[:max_bytes], content_type, max_links)
    except Exception as exc:        # the spider stores the page, bytes and all, for a later parse
        read.error = _describe(exc)
    return read


def _read_html(read: PageRead, url: str, body: bytes, content_type: str, max_links: int) -> None:
    decoded = decode_bytes(body, content_type)
    outline = outline_html(decoded.text)
    read.kind, read.title = classify_outline(outline), outline.title
    read.links_limited = len(outline.links) > max_links
    links = absolute_links(urljoin(url, outline.base), outline.links[:max_links])
    if read.kind == "report" or _first_of_split_report(url, outline, links):
        read.report = _report(url, outline, links)
        return
    _read_listing(read, platforms.page_listing, url, decoded.text)
    if read.listing is not None:
        links += [(e.url, e.title, "") for e in read.listing.entries]
    context = page_context(url, outline.title)
    scored = [(u, a, t, link_score(u, a, t, context)) for u, a, t in links]      # each link scored once
    read.followed = [link for link in scored if link[3] > 0]
    read.is_list = read.kind == "index" or lists_reports(read.followed)
    read.pagination = pagination_urls(url, outline.html) if read.is_list else []
    read.runs_scripts = render.runs_scripts(decoded.text)


def _data_listing(url: str, body: bytes, content_type: str) -> platforms.Listing:
    return platforms.data_listing(url, decode_bytes(body, content_type).text)


def read_response(response, max_bytes: int, max_links: int) -> PageRead:
    """read_page of a Scrapy response (the spider's tests read pages so, inline)."""
    known = response.meta.get("known")
    return read_page(*_page_fields(response), max_bytes, max_links, known["sha256"] if known else None)


def _page_fields(response) -> tuple:
    headers = response.headers
    return (response.url, response.status, response.body, headers.get("Content-Type", b"").decode("latin-1"),
            headers.get("Content-Disposition", b"").decode("latin-1"))


def _describe(exc: BaseException) -> str:
    return f"{exc.__class__.__name__}: {exc}"


def _read_listing(read: PageRead, reader, *args) -> None:
    """An adapter that fails costs its entries, not the page."""
    try:
        read.listing = reader(*args)
    except Exception as exc:
        read.listing_error = _describe(exc)


def _report(url: str, outline, links: list[Link]) -> ReportRead:
    attachments = [(u, a, outline.title) for u, a, t in links if urlsplit(u).path.lower().endswith(ATTACHMENT_EXTENSIONS)]
    linked = [(u, a, t) for u, a, t in links if link_score(u, a, t) >= 80]
    has_report_text = any(marker in outline.text for marker in _REPORT_TEXT)
    later = later_pages(url, outline, links)
    # tables published as pictures: fetched with the page, read by OCR when it is parsed
    if not tables_in_text(outline.text):
        pictures = table_image_urls(outline.html, urljoin(url, outline.base))
        later += [u for u in pictures if u not in later and u != url]
    return ReportRead(title_year(outline.title), attachments, linked, has_report_text, later)


def _first_of_split_report(url: str, outline, links: list[Link]) -> bool:
    """Page 1 of an article split over pages whose title names a report is a report page, whatever
    part of the report it holds (even none of table 三's markers, or a sidebar that makes it look
    like a list)."""
    name = urlsplit(url).path.rsplit("/", 1)[-1].split(".")[0].split("_")[0].lower()
    return (name not in ("", *_LIST_PAGE_NAMES) and classify_page(outline.title) == "report"
            and bool(later_pages(url, outline, links)))


def later_pages(url: str, outline, links: list[Link]) -> list[str]:
    """The later pages of this article: linked (下一页, 2) or, on TRS sites, written by
    createPageHTML(2, 0, "t2021…_1", "html")."""
    rest = continuation_links(url, [(u, a) for u, a, _ in links])
    own = urlsplit(url).path.rsplit(".", 1)[0] + "_"      # not a list widget's pages
    return rest + [u for u in pagination_urls(url, outline.html) if urlsplit(u).path.startswith(own) and u not in rest]


def _start_reader(memory_mb: int) -> None:
    exit_with_parent()
    if memory_mb > 0:       # a hostile page costs its reading, not the crawl
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 1024 * 1024,) * 2)
    read_page("http://warm.up/", 200, _WARM_UP_PAGE, "text/html; charset=utf-8", "", 1 << 20, 100)


_WARM_UP_PAGE = ('<html><head><title>2021年政府信息公开工作年度报告</title></head><body>'
                 '<a href="/xxgk/ndbg/index.html">政府信息公开年报</a><p>本年新收</p></body></html>').encode()


@dataclass
class _Reading:
    args: tuple                 # read_page's, after the function
    read: Future

    def unreadable(self, error: str) -> PageRead:
        return PageRead(sha256(self.args[2]), error=error)


class PageReader:
    """The crawl's page-reading process: pages are read one at a time, in the order they arrive.
    A page kills no more than itself: if the reader dies on it (a crash in C code) or is still
    reading it after `timeout` seconds (then it is stopped), the page is kept as unreadable
    (stored with its bytes), the reader is started anew and the pages queued behind are read
    there."""

    WATCH_SECONDS = 1.0

    def __init__(self, max_bytes: int, max_links: int, memory_mb: int = limits.PARSE_MEMORY_MB,
                 timeout: int = limits.PAGE_READ_TIMEOUT, read=read_page):
        self.max_bytes, self.max_links, self.memory_mb, self.timeout = max_bytes, max_links, memory_mb, timeout
        self.read_function = read
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._pending: deque[_Reading] = deque()    # submitted, unanswered, oldest first: the head is being read
        self._head_since: float | None = None       # when the head's reading began (None: the reader is starting)
        self._stopped_for: str | None = None        # why the watchdog stopped the reader
        self._closed = threading.Event()
        self._watchdog: threading.Thread | None = None

    def start(self) -> None:
        """Start the process (imports and a warm-up page) while the crawl's first requests go out."""
        with self._lock:
            self._start()
        if self._watchdog is None and self.timeout > 0:
            self._watchdog = threading.Thread(target=self._watch, name="nianbao-page-reader-watchdog", daemon=True)
            self._watchdog.start()

    def _start(self) -> None:       # under the lock
        if self._executor is None:
            self._executor = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=_start_reader, initargs=(self.memory_mb,))
            self._head_since = None
            self._executor.submit(len, b"").add_done_callback(self._started)

    def _started(self, ping: Future) -> None:
        self._head_since = time.monotonic()     # no lock: it may run in _start, under the lock

    def submit(self, response) -> Future:
        """A Future of read_page(response) that never fails."""
        self.start()
        known = response.meta.get("known")
        args = (*_page_fields(response), self.max_bytes, self.max_links, known["sha256"] if known else None)
        reading = _Reading(args, Future())
        with self._lock:
            if not self._pending and self._head_since is not None:
                self._head_since = time.monotonic()     # an idle reader starts on it now
            self._pending.append(reading)
            sent = self._send(reading)
        self._hook(sent)
        return reading.read

    def _send(self, reading: _Reading) -> list[tuple]:     # under the lock
        try:
            answer = self._executor.submit(self.read_function, *reading.args)
        except BrokenExecutor:
            if self._pending[0] is not reading:
                return []   # it died on an earlier page, whose answer sends the queue to the next reader
            self._replace(self._executor)       # it died idle, after its last answer
            answer = self._executor.submit(self.read_function, *reading.args)
        return [(self._executor, reading, answer)]

    def _hook(self, sent: list[tuple]) -> None:
        """Outside the lock: a future already answered runs its callback here and now."""
        for executor, reading, answer in sent:
            answer.add_done_callback(functools.partial(self._answered, executor, reading))

    def _replace(self, executor: ProcessPoolExecutor) -> None:     # under the lock
        self._stopped_for, self._executor = None, None
        executor.shutdown(wait=False, cancel_futures=True)
        self._start()

    def _answered(self, executor: ProcessPoolExecutor, reading: _Reading, answer: Future) -> None:
        sent = []
        with self._lock:
            if executor is not self._executor:
                return      # its reader was replaced (and the page sent to the new one) or closed
            error = answer.exception()
            if not isinstance(error, BrokenExecutor):
                self._pending.remove(reading)
                self._head_since = time.monotonic()
                result = answer.result() if error is None else reading.unreadable(f"reading failed: {_describe(error)}")
            else:       # the reader is gone, with the page at the head of the queue
                reading = self._pending.popleft()
                result = reading.unreadable(self._stopped_for or f"the page reader died: {_describe(error)}")
                self._replace(executor)
                for queued in self._pending:
                    sent += self._send(queued)
        self._hook(sent)
        reading.read.set_result(result)

    def _watch(self) -> None:
        """Stops a reader stuck on one page (C code that never returns: no alarm reaches it)."""
        while not self._closed.wait(self.WATCH_SECONDS):
            with self._lock:
                stuck = (self._pending and self._head_since is not None and self._stopped_for is None
                         and time.monotonic() - self._head_since > self.timeout)
                if stuck:
                    self._stopped_for = (f"reading the page took over {self.timeout} s (PAGE_READ_TIMEOUT): "
                                         "the page reader was stopped and started again")
                    processes = list((self._executor._processes or {}).values()) if self._executor else []
            if stuck:
                for process in processes:
                    process.kill()

    def read(self, response):
        """A Deferred of read_page(response), fired on the reactor thread."""
        return deferred_from_future(self.submit(response))

    def close(self) -> None:
        self._closed.set()
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
