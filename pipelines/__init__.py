"""Item pipelines: parse each fetched report off the reactor, then store it."""
from __future__ import annotations

import json
import time

from scrapy import signals
from scrapy.exceptions import DropItem
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.job import job_dir
from twisted.internet import task
from twisted.internet.threads import deferToThread

from crawler import datasetstore, incremental, limits, monitor, runs, store
from crawler.export import report_records
from crawler.incremental import CrawlState
from crawler.items import ReportItem
from crawler.schema import LIMIT_EXCEEDED, ParseOutcome
from crawler.workers import ParseRunner

__all__ = ["ParsePipeline", "ParseRunner", "StorePipeline"]


class ParsePipeline:
    """Parses each item off the reactor (PARSE_WORKERS processes), so fetching goes on while
    reports are parsed. The outcome is put on the item as item.outcome."""

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

    def close_spider(self, spider=None):
        if self.runner:
            self.runner.close()

    async def process_item(self, item, spider=None):
        # wait in a reactor thread, not on the reactor: fetching continues meanwhile
        item.outcome = await maybe_deferred_to_future(deferToThread(self.runner.run, item))
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
    checkpointed while crawling, so a crash loses at most a few seconds of bookkeeping)."""

    FLUSH_SECONDS = 2.0
    CHECKPOINT_SECONDS = 30.0

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
        self.db = store.open_db(self.path)
        self.keys_found: set[str] = set()
        self.report_ids: set[int] = set()
        self.state = CrawlState.of(self.crawler)
        arguments = spider.arguments() if hasattr(spider, "arguments") else {}
        self.run_id, resumed = runs.open_run(self.db, arguments, job_dir(self.crawler.settings))
        self.state.run_id = self.run_id
        self.stats_before = json.loads(resumed["stats"] or "{}") if resumed else {}
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

    def flush(self):
        try:
            incremental.write_records(self.db, self.state.drain())
            if time.monotonic() - self.last_checkpoint > self.CHECKPOINT_SECONDS:
                self.last_checkpoint = time.monotonic()
                runs.checkpoint(self.db, self.run_id, self._stats(), self.new, self.changed)
        except Exception as exc:     # bookkeeping only: the next run re-fetches a little more
            self.crawler.stats.inc_value("nianbao/errors/store")
            self.crawler.spider.logger.error("could not record the crawl state: %s", exc)

    def _stats(self) -> dict:
        return runs.merge_stats(self.stats_before, self.crawler.stats.get_stats())

    def process_item(self, item: ReportItem, spider=None):
        stats = self.crawler.stats
        outcome = item.outcome or ParseOutcome("error", reason="not parsed")
        try:
            result = runs.store_item(self.db, item, outcome, self.new, self.changed)
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
        stats.set_value("nianbao/reports_in_db", self.db["reports"].count)
        self.flush()
        # A fetched page is not a report: feed exports (-O reports.jsonl) get one item per report,
        # merged over all its versions, when the crawl closes (_emit_reports).
        raise DropItem(f"stored {item.url} ({result['status']})", log_level="DEBUG")

    def close_spider(self, spider=None):
        """Everything the end-of-crawl summary shows is put in the stats here; the run's final
        status is written on spider_closed, the first moment the close reason is known."""
        if self.flusher.running:
            self.flusher.stop()
        self.flush()
        stats = self.crawler.stats
        dataset = datasetstore.refresh(self.db)     # checks across reports, over the whole database
        for code, count in dataset.items():
            stats.set_value(f"nianbao/dataset/{code}", count)
        self._emit_reports()
        stats.set_value("nianbao/reports_in_db", self.db["reports"].count)
        stats.set_value("nianbao/new_reports", self.new)
        stats.set_value("nianbao/changed_reports", self.changed)
        previous = runs.previous_runs(self.db, self.run_id)
        stats.set_value("nianbao/previous_run", previous[0]["started_at"] if previous else None)
        runs.checkpoint(self.db, self.run_id, self._stats(), self.new, self.changed)

    def spider_closed(self, spider, reason):
        """After the monitors (crawler.monitor, run by Spidermon on the same signal) have given their verdict."""
        verdict = self.crawler.stats.get_value("nianbao/monitor") or []
        status = "failed" if reason == "finished" and not monitor.passed(verdict) else reason
        self.crawler.stats.set_value("nianbao/run_status", status)
        runs.finish_run(self.db, self.run_id, self._stats(), self.new, self.changed, status, verdict)
        store.optimize(self.db)     # planner statistics for the next crawl and for datasette
        self.db.close()

    def _emit_reports(self):
        """Each report this crawl found, in the schema, to the feed exports (item_scraped is what they listen to)."""
        spider = self.crawler.spider
        for report in report_records(self.db, self.report_ids):
            self.crawler.signals.send_catch_log(signals.item_scraped, item=report, response=None, spider=spider)
