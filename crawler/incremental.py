"""Incremental re-crawls: what earlier crawls learned about each URL, and what to do with it now.

Every page the spider fetches leaves a row in `pages` (validators, body hash, the links it
followed). A later crawl then, per URL:

* `skip`    a report page or attachment already stored (sources): not downloaded again;
* `replay`  a navigation page known from before: its stored links are walked without fetching it
            (lists are newest first, so an unchanged list holds nothing new past known entries);
* `check`   the start page, the report lists ("feeds": pages that linked a report directly) and
            anything older than `max_age`: a conditional request (If-None-Match / If-Modified-Since);
            a 304, or the same bytes again, means unchanged and the stored links are replayed;
* `fetch`   everything new, and everything with `-a refresh=all`.

Pages visited earlier in the same run (a job resumed after a crash, see crawler.runs) are always
replayed, so a restarted crawl fetches only what the killed one had not finished.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scrapy.core.scheduler import Scheduler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.dupefilters import RFPDupeFilter
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler, load_object

from .exc import ConfigError
from .store import sha256, write_transaction

# kinds of `pages` rows
NAV, REPORT, ATTACHMENT, FAILED = "nav", "report", "attachment", "failed"
PERMANENT_FAILURES = range(400, 500)      # a 404 stays a 404 until max_age says look again


def parse_max_age(value) -> float | None:
    """Days, as '30', '30d' or '12h'; None for no maximum age."""
    if value in (None, ""):
        return None
    text = str(value).strip().lower()
    try:
        number = float(text[:-1]) / (24 if text.endswith("h") else 1) if text[-1] in "dh" else float(text)
    except ValueError:
        number = -1
    if number < 0:
        raise ConfigError(f"max_age must be a number of days (30, 30d) or hours (12h), not {value!r}")
    return number


def parse_refresh(value) -> bool:
    """True when everything is to be downloaded again."""
    if value in (None, "", "changed"):
        return False
    if value == "all":
        return True
    raise ConfigError(f"refresh must be 'all' (download everything again) or 'changed' (the default), not {value!r}")


@dataclass
class Known:
    url: str
    kind: str | None = None             # NAV, REPORT, ATTACHMENT, FAILED; None when only `sources` knows it
    status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    sha256: str | None = None
    links: list = field(default_factory=list)
    pagination: list = field(default_factory=list)
    is_list: bool = False
    listing: bool = False                # a platform's list page (crawler.platforms): its answers change, not it
    run_id: int | None = None
    fetched_at: str | None = None
    stored: bool = False                 # a fetched item of this URL is in `sources`
    feed: bool = False                   # a navigation page that linked a report page or attachment directly

    def conditional_headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers

    def meta(self) -> dict:
        """What the response callback needs to tell 'unchanged' and to replay (kept small: it travels
        with the request through the scheduler)."""
        return {"sha256": self.sha256, "kind": self.kind, "links": self.links, "pagination": self.pagination,
                "is_list": self.is_list}


def plan(known: Known | None, *, start: bool = False, force_check: bool = False, refresh_all: bool = False,
         max_age_days: float | None = None, run_id: int | None = None, now: datetime | None = None) -> str:
    """'fetch' | 'check' | 'replay' | 'skip' for one URL (see the module docstring)."""
    if refresh_all or known is None or (known.kind is None and not known.stored):
        return "fetch"
    now = now or datetime.now(UTC)
    stale = max_age_days is not None and (
        not known.fetched_at or now - datetime.fromisoformat(known.fetched_at) > timedelta(days=max_age_days))
    this_run = run_id is not None and known.run_id == run_id
    if known.stored:
        return "check" if stale and not this_run else "skip"
    if known.kind == FAILED:
        return "skip" if known.status in PERMANENT_FAILURES and not stale else "fetch"
    if known.kind in (REPORT, ATTACHMENT) and not known.links:
        return "check"          # a candidate whose item was never stored (crash): look again
    if this_run:
        return "replay"
    if known.listing:
        return "fetch"          # its list requests are only made when the page itself is read
    if start or force_check or stale or known.feed:
        return "check"
    return "replay"


class KnownPages:
    """Read side of the crawl state: one indexed look-up per URL (scales to millions of pages)."""

    def __init__(self, path: str | Path | None):
        self.conn = None
        if path and Path(path).exists():
            self.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA busy_timeout = 30000")
            tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not {"pages", "sources", "robots"} <= tables:
                self.conn.close()
                self.conn = None

    def lookup(self, url: str) -> Known | None:
        if self.conn is None:
            return None
        row = self.conn.execute("SELECT * FROM pages WHERE url = ?", [url]).fetchone()
        source = self.conn.execute("SELECT max(last_seen) AS last_seen FROM sources WHERE url = ? AND part = 0",
                                   [url]).fetchone()
        stored = source["last_seen"] is not None
        if row is None and not stored:
            return None
        if row is None:      # a database from before `pages` existed
            return Known(url, stored=True, fetched_at=source["last_seen"])
        feed = row["kind"] == NAV and not row["paginated"] and bool(self.conn.execute(
            "SELECT 1 FROM json_each(?) j JOIN pages c ON c.url = json_extract(j.value, '$[0]') "
            f"WHERE c.kind IN ('{REPORT}', '{ATTACHMENT}') LIMIT 1", [row["links"] or "[]"]).fetchone())
        return Known(url, kind=row["kind"], status=row["status"], etag=row["etag"], last_modified=row["last_modified"],
                     sha256=row["sha256"], links=json.loads(row["links"] or "[]"),
                     pagination=json.loads(row["pagination"] or "[]"), is_list=bool(row["is_list"]),
                     listing=bool(row["listing"]),
                     run_id=row["run_id"], fetched_at=row["fetched_at"], stored=stored, feed=feed)

    def stored(self, url: str) -> bool:
        return self.conn is not None and self.conn.execute(
            "SELECT 1 FROM sources WHERE url = ? AND part = 0 LIMIT 1", [url]).fetchone() is not None

    def stored_before_run(self, url: str, run_id: int | None) -> bool:
        """Stored by an earlier run: what this run stores itself proves nothing about a list's age."""
        return self.conn is not None and run_id is not None and self.conn.execute(
            "SELECT 1 FROM sources WHERE url = ? AND part = 0 AND fetched_at < "
            "(SELECT started_at FROM crawl_runs WHERE id = ?) LIMIT 1", [url, run_id]).fetchone() is not None

    def robots(self, robots_url: str, max_age_hours: float) -> bytes | None:
        if self.conn is None or max_age_hours <= 0:
            return None
        row = self.conn.execute("SELECT body, fetched_at FROM robots WHERE url = ?", [robots_url]).fetchone()
        if row is None:
            return None
        age = datetime.now(UTC) - datetime.fromisoformat(row["fetched_at"])
        return row["body"] if age < timedelta(hours=max_age_hours) else None

    def share_robots(self, record: dict) -> None:
        """One process reads this database: nothing to share with other crawl processes."""

    def urls(self):
        """Every URL an earlier crawl fetched or stored (for the distributed mode's workers)."""
        if self.conn is not None:
            yield from (r[0] for r in self.conn.execute(
                "SELECT url FROM pages UNION SELECT url FROM sources WHERE part = 0"))

    def robots_rows(self):
        if self.conn is not None:
            yield from (dict(r) for r in self.conn.execute("SELECT url, body, fetched_at FROM robots"))

    def close(self):
        if self.conn is not None:
            self.conn.close()


class CrawlState:
    """One per crawl: the known pages (read), the run being written, and the page records the
    spider made, waiting for the single writer (the store pipeline, or the store worker) to drain."""

    def __init__(self, known, refresh_all: bool = False, max_age_days: float | None = None,
                 robots_cache_hours: float = 24):
        self.known = KnownPages(None) if refresh_all else known
        self.refresh_all, self.max_age_days, self.robots_cache_hours = refresh_all, max_age_days, robots_cache_hours
        self.run_id: int | None = None
        self.pending: list[dict] = []

    @classmethod
    def of(cls, crawler) -> CrawlState:
        state = getattr(crawler, "nianbao_state", None)
        if state is None:
            settings = crawler.settings
            # a distributed worker reads what the store-worker published in Redis (KNOWN_PAGES), not the database
            known = (load_object(settings["KNOWN_PAGES"]).from_crawler(crawler) if settings.get("KNOWN_PAGES")
                     else KnownPages(settings.get("REPORTS_DB")))
            state = cls(known, robots_cache_hours=settings.getfloat("ROBOTSTXT_CACHE_HOURS", 24))
            state.run_id = getattr(known, "run_id", None)
            crawler.nianbao_state = state
        return state

    def configure(self, refresh_all: bool, max_age_days: float | None):
        if refresh_all and not self.refresh_all:
            self.known.close()
            self.known = KnownPages(None)
        self.refresh_all, self.max_age_days = refresh_all, max_age_days

    def plan(self, url: str, **kwargs) -> tuple[str, Known | None]:
        known = self.known.lookup(url)
        return plan(known, refresh_all=self.refresh_all, max_age_days=self.max_age_days, run_id=self.run_id,
                    **kwargs), known

    # ---------------------------------------------------------------- records for the writer

    def record_page(self, response, kind: str, links=(), pagination=(), is_list=False, paginated=False, listing=False,
                    digest: str | None = None):
        """`digest`: the body's sha256 when the caller has it already."""
        headers = response.headers
        now = _now()
        # links and pagination are encoded as JSON by the writer (write_records), off the reactor
        self.pending.append({
            "table": "pages", "url": _request_url(response), "kind": kind, "status": response.status,
            "etag": _header(headers, b"ETag"), "last_modified": _header(headers, b"Last-Modified"),
            "sha256": digest or sha256(response.body), "links": links, "pagination": pagination,
            "is_list": int(bool(is_list)), "paginated": int(bool(paginated)), "listing": int(bool(listing)),
            "run_id": self.run_id, "fetched_at": now, "changed_at": now})

    def record_unchanged(self, url: str):
        """A 304 or the same bytes: the stored row stands, only seen again."""
        self.pending.append({"table": "pages", "url": url, "run_id": self.run_id, "fetched_at": _now(), "touch": True})

    def record_failure(self, url: str, status: int | None):
        self.pending.append({"table": "pages", "url": url, "kind": FAILED, "status": status, "run_id": self.run_id,
                             "fetched_at": _now(), "links": "[]", "pagination": "[]"})

    def record_robots(self, url: str, status: int, body: bytes):
        record = {"table": "robots", "url": url, "status": status, "body": body, "fetched_at": _now()}
        self.pending.append(record)
        self.known.share_robots(record)

    def drain(self) -> list[dict]:
        records, self.pending = self.pending, []
        return records


def write_records(db, records: list[dict]) -> None:
    """The writer's side: page and robots.txt records into `pages` / `robots`, one transaction."""
    if not records:
        return
    with write_transaction(db):
        for record in records:
            record = dict(record)
            table = record.pop("table")
            for name in ("links", "pagination"):
                if not isinstance(record.get(name), str | None):
                    record[name] = json.dumps([list(v) if isinstance(v, tuple) else v for v in record[name]],
                                              ensure_ascii=False)
            if record.pop("touch", False):
                db.execute("UPDATE pages SET fetched_at = ?, run_id = ? WHERE url = ?",
                           [record["fetched_at"], record["run_id"], record["url"]])
                continue
            if table == "pages":
                old = next(db.query("SELECT sha256, changed_at FROM pages WHERE url = ?", [record["url"]]), None)
                if old and old["sha256"] == record.get("sha256"):
                    record["changed_at"] = old["changed_at"]
            db[table].upsert(record, pk="url", alter=True)


def _header(headers, name: bytes) -> str | None:
    value = headers.get(name)
    return value.decode("latin-1") if value else None


def _request_url(response) -> str:
    return (response.meta.get("redirect_urls") or [response.url])[0]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class CachedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """robots.txt kept for ROBOTSTXT_CACHE_HOURS (RFC 9309 allows a day): a re-crawl the same day
    does not ask every host for it again."""

    async def robot_parser(self, request):
        url = urlparse_cached(request)
        if url.netloc not in self._parsers:
            state = CrawlState.of(self.crawler)
            body = state.known.robots(f"{url.scheme}://{url.netloc}/robots.txt", state.robots_cache_hours)
            if body is not None:
                self._parsers[url.netloc] = build_from_crawler(self._parserimpl, self.crawler, body)
                self._stats.inc_value("nianbao/robots_cached")
        return await super().robot_parser(request)

    async def _parse_robots(self, response, netloc, request):
        CrawlState.of(self.crawler).record_robots(response.url if response.status < 300 else
                                                  f"{urlparse_cached(request).scheme}://{netloc}/robots.txt",
                                                  response.status, response.body)
        await super()._parse_robots(response, netloc, request)


class JournalScheduler(Scheduler):
    """With JOBDIR, nianbao resumes from its own journal in the database (which survives SIGKILL),
    not from Scrapy's queue files (which only a graceful stop leaves consistent): requests are
    queued in memory and the duplicate filter is not persisted, so a restarted crawl regenerates
    every request that the killed one had not finished."""

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        dupefilter_cls = load_object(settings["DUPEFILTER_CLASS"])
        if issubclass(dupefilter_cls, RFPDupeFilter):
            dupefilter = dupefilter_cls(None, settings.getbool("DUPEFILTER_DEBUG"),
                                        fingerprinter=crawler.request_fingerprinter)
        else:
            dupefilter = build_from_crawler(dupefilter_cls, crawler)
        return cls(dupefilter=dupefilter, jobdir=None,
                   dqclass=load_object(settings["SCHEDULER_DISK_QUEUE"]),
                   mqclass=load_object(settings["SCHEDULER_MEMORY_QUEUE"]),
                   logunser=settings.getbool("SCHEDULER_DEBUG"), stats=crawler.stats,
                   pqclass=load_object(settings["SCHEDULER_PRIORITY_QUEUE"]), crawler=crawler)
