"""Item pipelines: parse each fetched report off the reactor, then store it."""
from __future__ import annotations

import itertools
import json
import time
from concurrent.futures import ThreadPoolExecutor

from scrapy import signals
from scrapy.exceptions import DropItem
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.job import job_dir
from twisted.internet import task
from twisted.internet.defer import Deferred

from crawler import datasetstore, incremental, limits, monitor, runs, store
from crawler.export import report_records
from crawler.incremental import CrawlState
from crawler.items import ReportItem
from crawler.schema import LIMIT_EXCEEDED, ParseOutcome
from crawler.workers import ParseRunner
from crawler.writer import StoreWriter, deferred_from_future

__all__ = ["ParsePipeline", "ParseRunner", "StorePipeline"]


class ParsePipeline:
    """Parses each item off the reactor (PARSE_WORKERS processes, by default one per core), so
    fetching goes on while reports are parsed. The outcome is put on the item as item.outcome."""

    def __init__(self, workers: int, limit_values: dict[str, int] | None = None):
        self.workers = workers
        self.limit_values = limit_values
        self.runner: ParseRunner | None = None

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler.settings.getint("PARSE_WORKERS"), limits.from_settings(crawler.settings))
        pipeline.crawler = crawler
        return pipeline

    def open_spider(self, spider=None):
        self.runner = ParseRunner(self.workers, limit_values=self.limit_values)
        # one thread waits on each worker; items beyond wait in this pool's queue, not in the
        # reactor's thread pool, which DNS look-ups and the spider's big pages need meanwhile
        self.waiters = ThreadPoolExecutor(max(self.workers, 1), thread_name_prefix="nianbao-parse")

    def close_spider(self, spider=None):
        if self.runner:
            self.waiters.shutdown(wait=True)
            self.runner.close()

    async def process_item(self, item, spider=None):
        # parsed in a worker process while the reactor goes on fetching
        item.outcome = await maybe_deferred_to_future(deferred_from_future(self.waiters.submit(self.runner.run, item)))
        stats = self.crawler.stats
        stats.inc_value(f"nianbao/parse/{item.outcome.status}")
        if item.outcome.status == LIMIT_EXCEEDED:
            stats.inc_value("nianbao/limited/parse")
        if item.outcome.report is not None:
            for flag in item.outcome.report["flags"]:
                stats.inc_value(f"nianbao/flags/{flag['code']}")
            ocr = item.outcome.report["source"].get("ocr")
            if ocr:     # OCR's cost, for the crawl summary
                stats.inc_value("nianbao/ocr/read", len(ocr["read"]))
                stats.inc_value("nianbao/ocr/seconds", ocr["seconds"])
        return item


class StorePipeline:
    """The single writer: every item into REPORTS_DB (one transaction each), the spider's page
    records for incremental re-crawls, and the crawl's row in crawl_runs (opened at the start,
    checkpointed while crawling, so a crash loses at most a few seconds of bookkeeping). The
    database work runs in the store's own thread (crawler.writer), never on the reactor; the
    crawl's close waits for every write. Scrapy's stats are touched on the reactor thread only."""

    FLUSH_SECONDS = 2.0
    CHECKPOINT_SECONDS = 30.0
    EMIT_BATCH = 200        # reports read per writer job when the feed exports get them at the end

    def __init__(self, path: str):
        self.path = path

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler.settings.get("REPORTS_DB"))
        pipeline.crawler = crawler
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self, spider=None):
        spider = self.crawler.spider
        self.writer = StoreWriter(lambda: store.open_db(self.path))
        self.keys_found: set[str] = set()
        self.report_ids: set[int] = set()
        self.state = CrawlState.of(self.crawler)
        arguments = spider.arguments() if hasattr(spider, "arguments") else {}
        # before the first request: the spider's plans need the run's id
        self.run_id, resumed = self.writer.run(runs.open_run, arguments, job_dir(self.crawler.settings))
        self.state.run_id = self.run_id
        self.stats_before = json.loads(resumed["stats"] or "{}") if resumed else {}
        # the writer thread's own: appended and read there only
        self.new = json.loads(resumed["new_reports"] or "[]") if resumed else []
        self.changed = json.loads(resumed["changed_reports"] or "[]") if resumed else []
        stats = self.crawler.stats
        stats.set_value("nianbao/db", str(self.path))
        stats.set_value("nianbao/run_id", self.run_id)
        if resumed:
            stats.set_value("nianbao/resumed_run", True)
        self.last_checkpoint = time.monotonic()
        self.flusher = task.LoopingCall(self.flush)
        self.flusher.start(self.FLUSH_SECONDS, now=False)

    def flush(self) -> Deferred:
        """Hand the spider's page records, and every CHECKPOINT_SECONDS the run's stats, to the writer."""
        checkpoint = None
        if time.monotonic() - self.last_checkpoint > self.CHECKPOINT_SECONDS:
            self.last_checkpoint = time.monotonic()
            checkpoint = self._stats()
        written = self.writer.call(self._write_state, self.state.drain(), checkpoint)
        return written.addCallbacks(self._reports_in_db, self._state_not_written)

    def _write_state(self, db, records: list[dict], checkpoint: dict | None) -> int:     # writer thread
        incremental.write_records(db, records)
        if checkpoint is not None:
            self._checkpoint(db, checkpoint)
        # counted here, every FLUSH_SECONDS, not after every item: a count walks the whole table
        return db["reports"].count

    def _reports_in_db(self, count: int) -> None:
        self.crawler.stats.set_value("nianbao/reports_in_db", count)

    def _state_not_written(self, failure):      # bookkeeping only: the next run re-fetches a little more
        self.crawler.stats.inc_value("nianbao/errors/store")
        self.crawler.spider.logger.error("could not record the crawl state: %s", failure.value)

    def _stats(self) -> dict:
        return runs.merge_stats(self.stats_before, self.crawler.stats.get_stats())

    async def process_item(self, item: ReportItem, spider=None):
        stats = self.crawler.stats
        outcome = item.outcome or ParseOutcome("error", reason="not parsed")
        try:
            result = await maybe_deferred_to_future(self.writer.call(self._write_item, item, outcome))
        except Exception as exc:     # the transaction rolled back; count it and go on
            stats.inc_value("nianbao/errors/store")
            self.crawler.spider.logger.error("could not store %s: %s", item.url, exc)
            raise DropItem(f"not stored: {item.url}", log_level="DEBUG") from exc
        for counter in result["stats"]:
            stats.inc_value(counter)
        if result["status"] == "report":
            self.keys_found.add(result["key"])
            self.report_ids.add(result["report_id"])
            stats.set_value("nianbao/reports_found", len(self.keys_found))
        # A fetched page is not a report: feed exports (-O reports.jsonl) get one item per report,
        # merged over all its versions, when the crawl closes (_emit_reports).
        raise DropItem(f"stored {item.url} ({result['status']})", log_level="DEBUG")

    def _write_item(self, db, item: ReportItem, outcome: ParseOutcome) -> dict:     # writer thread
        """runs.store_item's result (new and changed reports noted for the run)."""
        return runs.store_item(db, item, outcome, self.new, self.changed)

    async def close_spider(self, spider=None):
        """Everything the end-of-crawl summary shows is put in the stats here; the run's final
        status is written on spider_closed, the first moment the close reason is known."""
        if self.flusher.running:
            self.flusher.stop()
        await maybe_deferred_to_future(self.flush())
        closing = await maybe_deferred_to_future(self.writer.call(self._closing))
        stats = self.crawler.stats
        for code, count in closing["dataset"].items():
            stats.set_value(f"nianbao/dataset/{code}", count)
        await self._emit_reports()
        stats.set_value("nianbao/reports_in_db", closing["reports_in_db"])
        stats.set_value("nianbao/new_reports", closing["new"])
        stats.set_value("nianbao/changed_reports", closing["changed"])
        stats.set_value("nianbao/previous_run", closing["previous_run"])
        await maybe_deferred_to_future(self.writer.call(self._checkpoint, self._stats()))

    def _closing(self, db) -> dict:     # writer thread
        previous = runs.previous_runs(db, self.run_id)
        return {"dataset": datasetstore.refresh(db),     # checks across reports, over the whole database
                "reports_in_db": db["reports"].count, "new": list(self.new), "changed": list(self.changed),
                "previous_run": previous[0]["started_at"] if previous else None}

    def _checkpoint(self, db, stats: dict):     # writer thread
        runs.checkpoint(db, self.run_id, stats, self.new, self.changed)

    async def spider_closed(self, spider, reason):
        """After the monitors (crawler.monitor, run by Spidermon on the same signal) have given their verdict."""
        verdict = self.crawler.stats.get_value("nianbao/monitor") or []
        status = "failed" if reason == "finished" and not monitor.passed(verdict) else reason
        self.crawler.stats.set_value("nianbao/run_status", status)
        try:
            await maybe_deferred_to_future(self.writer.call(self._finish, self._stats(), status, verdict))
        finally:
            self.writer.close()

    def _finish(self, db, stats: dict, status: str, verdict: list):     # writer thread
        runs.finish_run(db, self.run_id, stats, self.new, self.changed, status, verdict)
        store.optimize(db)      # planner statistics for the next crawl and for datasette

    async def _emit_reports(self):
        """Each report this crawl found, in the schema, to the feed exports (item_scraped is what
        they listen to), read from the store in batches by the writer thread."""
        spider = self.crawler.spider
        records = None

        def batch(db):      # writer thread: the generator lives and advances there only
            nonlocal records
            if records is None:
                records = report_records(db, sorted(self.report_ids))
            return list(itertools.islice(records, self.EMIT_BATCH))
        while reports := await maybe_deferred_to_future(self.writer.call(batch)):
            for report in reports:
                self.crawler.signals.send_catch_log(signals.item_scraped, item=report, response=None, spider=spider)
