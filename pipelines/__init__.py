"""Item pipelines: parse each fetched report off the reactor, then store it."""
from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import BrokenExecutor, Executor, ProcessPoolExecutor, ThreadPoolExecutor

from scrapy import signals
from scrapy.exceptions import DropItem
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from crawler import datasetstore, store
from crawler.export import report_records
from crawler.items import ReportItem, utc_now
from crawler.jobs import parse_item
from crawler.schema import ParseOutcome


class ParseRunner:
    """Runs a parse job in worker processes (or a thread when workers=0). A worker that dies
    (out of memory, a crash in C code) costs that one parse: the pool is started anew."""

    def __init__(self, workers: int, job=parse_item):
        self.workers = workers
        self.job = job
        self.lock = threading.Lock()
        self.executor = self._new_executor()

    def _new_executor(self) -> Executor:
        if self.workers > 0:
            return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
        return ThreadPoolExecutor(1)

    def run(self, item: ReportItem) -> ParseOutcome:
        """Blocking: call it from a thread, never from the reactor."""
        executor = self.executor
        try:
            return executor.submit(self.job, item).result()
        except BrokenExecutor as exc:
            with self.lock:
                if self.executor is executor:
                    executor.shutdown(wait=False)
                    self.executor = self._new_executor()
            return ParseOutcome("error", reason=f"parser worker died: {exc.__class__.__name__}")

    def close(self):
        self.executor.shutdown(wait=True)


class ParsePipeline:
    """Parses each item off the reactor (PARSE_WORKERS processes), so fetching goes on while
    reports are parsed. The outcome is put on the item as item.outcome."""

    def __init__(self, workers: int):
        self.workers = workers
        self.runner: ParseRunner | None = None

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler.settings.getint("PARSE_WORKERS"))
        pipeline.crawler = crawler
        return pipeline

    def open_spider(self, spider=None):
        self.runner = ParseRunner(self.workers)

    def close_spider(self, spider=None):
        if self.runner:
            self.runner.close()

    async def process_item(self, item, spider=None):
        # wait in a reactor thread, not on the reactor: fetching continues meanwhile
        item.outcome = await maybe_deferred_to_future(deferToThread(self.runner.run, item))
        stats = self.crawler.stats
        stats.inc_value(f"nianbao/parse/{item.outcome.status}")
        if item.outcome.report is not None:
            for flag in item.outcome.report["flags"]:
                stats.inc_value(f"nianbao/flags/{flag['code']}")
        return item


class StorePipeline:
    """Writes every item to REPORTS_DB (one transaction each) and records the crawl run."""

    def __init__(self, path: str):
        self.path = path

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler.settings.get("REPORTS_DB"))
        pipeline.crawler = crawler
        return pipeline

    def open_spider(self, spider=None):
        self.db = store.open_db(self.path)
        self.started_at = utc_now()
        self.reports_before = self.db["reports"].count
        self.keys_found: set[str] = set()
        self.report_ids: set[int] = set()
        self.crawler.stats.set_value("nianbao/db", str(self.path))

    def process_item(self, item: ReportItem, spider=None):
        stats = self.crawler.stats
        try:
            result = store.store_fetch(self.db, item, item.outcome or ParseOutcome("error", reason="not parsed"))
        except Exception as exc:     # the transaction rolled back; count it and go on
            stats.inc_value("nianbao/errors/store")
            self.crawler.spider.logger.error("could not store %s: %s", item.url, exc)
            raise DropItem(f"not stored: {item.url}", log_level="DEBUG") from exc
        if result.get("new_report"):
            stats.inc_value("nianbao/reports_new")
        if result["status"] == "report":
            stats.inc_value("nianbao/reports_stored")
            self.keys_found.add(result["key"])
            self.report_ids.add(result["report_id"])
            stats.set_value("nianbao/reports_found", len(self.keys_found))
        stats.set_value("nianbao/reports_in_db", self.db["reports"].count)
        # A fetched page is not a report: feed exports (-O reports.jsonl) get one item per report,
        # merged over all its versions, when the crawl closes (_emit_reports).
        raise DropItem(f"stored {item.url} ({result['status']})", log_level="DEBUG")

    def close_spider(self, spider=None):
        spider = self.crawler.spider
        arguments = spider.arguments() if hasattr(spider, "arguments") else {}
        dataset = datasetstore.refresh(self.db)     # checks across reports, over the whole database
        for code, count in dataset.items():
            self.crawler.stats.set_value(f"nianbao/dataset/{code}", count)
        self._emit_reports()
        self.run_id = store.record_run(self.db, self.started_at, arguments, self.crawler.stats.get_stats(), self.reports_before)
        self.db.close()

    def _emit_reports(self):
        """Each report this crawl found, in the schema, to the feed exports (item_scraped is what they listen to)."""
        spider = self.crawler.spider
        for report in report_records(self.db, self.report_ids):
            self.crawler.signals.send_catch_log(signals.item_scraped, item=report, response=None, spider=spider)
