"""Distributed mode on Redis: any number of worker processes, on any number of machines, share
one request queue and one duplicate filter (scrapy-redis); each fetches and parses; exactly one
writer (`python -m crawler store-worker`) drains the parsed items from a Redis list into SQLite.

    python -m crawler store-worker --redis redis://HOST:6379/0 [--db output/reports.db]
    python -m crawler worker --redis redis://HOST:6379/0 [-a portals=... other scrapy arguments]

Nothing is lost when a worker dies: a request taken from the queue is *leased* to its worker
(atomically, in one Lua script) until the worker has run its callback and pushed every item it
gave; a worker's leases outlive it only by its heartbeat (WORKER_HEARTBEAT seconds), after which
any live worker puts them back in the queue. Items are moved to a processing list while the writer
stores them, so a writer killed mid-transaction finds them again when it restarts.
"""
from __future__ import annotations

import json
import os
import pickle
import socket
import sys
import time
import uuid

import redis
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.queue import PriorityQueue
from twisted.internet import task

from . import render

PREFIX = "nianbao"
ITEMS = f"{PREFIX}:items"
WRITING = f"{PREFIX}:items:writing"
LEASES = f"{PREFIX}:leases"              # lease -> encoded request
OWNERS = f"{PREFIX}:lease-owners"        # lease -> "worker|score"
WORKERS = f"{PREFIX}:workers"            # every worker that ever joined this crawl
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
QUEUE_KEY = "%(spider)s:requests"


def alive_key(worker: str) -> str:
    return f"{PREFIX}:alive:{worker}"


def worker_settings(redis_url: str) -> dict:
    """The Scrapy settings that turn `scrapy crawl reports` into a worker."""
    return {
        "REDIS_URL": redis_url,
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "SCHEDULER_QUEUE_CLASS": "crawler.distributed.LeasedQueue",
        "SCHEDULER_QUEUE_KEY": QUEUE_KEY,
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_PERSIST": True,
        "ITEM_PIPELINES": {"pipelines.ParsePipeline": 300, "crawler.distributed.RedisItemPipeline": 800},
        "EXTENSIONS": {"crawler.distributed.WorkerLeases": 450, "crawler.progress.CrawlProgress": 500},
        "SPIDERMON_ENABLED": False,      # the monitors need the database: the writer's side
        "REPORTS_DB": "",                # a worker knows no earlier crawl: it fetches everything
    }


_POP_AND_LEASE = """
local item = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #item == 0 then return false end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
redis.call('HSET', KEYS[2], ARGV[1], item[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2] .. '|' .. item[2])
return item[1]
"""


class LeasedQueue(PriorityQueue):
    """scrapy-redis' priority queue whose pop leases the request to this worker."""

    def pop(self, timeout=0):
        lease = uuid.uuid4().hex
        data = self.server.eval(_POP_AND_LEASE, 3, self.key, LEASES, OWNERS, lease, WORKER_ID)
        if not data:
            return None
        request = self._decode_request(data)
        request.meta["lease"] = lease
        if request.meta.pop("render_in_browser", False):
            index = request.meta["portal"]
            request.meta.update(render.render_meta(self.spider.portals[index].start_url, self.spider.domains[index]))
        return request

    def push(self, request):
        if request.meta.get("playwright"):
            # the browser's route guard is a closure: queued as a flag, rebuilt by the worker that pops it
            request = request.replace(meta={**{k: v for k, v in request.meta.items() if not k.startswith("playwright")},
                                            "render_in_browser": True})
        super().push(request)
        # a retry or redirect of a leased request: the work is safe in the queue again
        release(self.server, request.meta.pop("lease", None))


def release(server, lease: str | None) -> None:
    if lease:
        server.hdel(OWNERS, lease)
        server.hdel(LEASES, lease)


def requeue_dead(server, queue_key: str) -> int:
    """Put the leases of workers whose heartbeat stopped back in the queue; returns how many."""
    requeued = 0
    for lease, owner in server.hgetall(OWNERS).items():
        worker, _, score = owner.decode().rpartition("|")
        if server.exists(alive_key(worker)):
            continue
        data = server.hget(LEASES, lease)
        if data is not None and server.hdel(OWNERS, lease):     # only one worker wins each lease
            server.zadd(queue_key, {data: float(score)})
            server.hdel(LEASES, lease)
            requeued += 1
    return requeued


class WorkerLeases:
    """Heartbeat, release of each lease once its response (or failure) has been fully handled,
    and a worker that stays while others may still produce work or die."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.server = redis.StrictRedis.from_url(crawler.settings.get("REDIS_URL"))
        self.ttl = crawler.settings.getfloat("WORKER_HEARTBEAT", 15)
        self.loop = task.LoopingCall(self.beat)

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.request_dropped, signal=signals.request_dropped)
        return ext

    def request_dropped(self, request, spider=None):
        """A retry or redirect that the duplicate filter refused: its lease ends here."""
        release(self.server, request.meta.get("lease"))

    def queue_key(self) -> str:
        return QUEUE_KEY % {"spider": self.crawler.spider.name}

    def engine_started(self):
        self.beat()
        self.server.sadd(WORKERS, WORKER_ID)
        self.loop.start(self.ttl / 3, now=False)
        scraper = self.crawler.engine.scraper
        handle = scraper._scrape

        async def handle_then_release(result, request):
            try:
                await handle(result, request)      # callback or errback, requests queued, items pushed
            finally:
                release(self.server, request.meta.get("lease"))
        scraper._scrape = handle_then_release

    def beat(self):
        self.server.set(alive_key(WORKER_ID), "1", px=int(self.ttl * 1000))

    def spider_idle(self, spider):
        requeued = requeue_dead(self.server, self.queue_key())
        if requeued:
            self.crawler.stats.inc_value("nianbao/leases_requeued", requeued)
            raise DontCloseSpider
        if self.server.zcard(self.queue_key()) or self.server.hlen(OWNERS):
            raise DontCloseSpider        # queued work, or work in other workers' hands that may come back

    def spider_closed(self, spider, reason):
        if self.loop.running:
            self.loop.stop()
        self.server.delete(alive_key(WORKER_ID))


class RedisItemPipeline:
    """The worker's last pipeline: the parsed item (raw bytes, outcome) and the spider's page
    records go to the writer's list."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.server = redis.StrictRedis.from_url(crawler.settings.get("REDIS_URL"))

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _push_records(self):
        state = getattr(self.crawler, "nianbao_state", None)
        records = state.drain() if state else []
        if records:
            self.server.lpush(ITEMS, pickle.dumps({"records": records}))

    def process_item(self, item, spider=None):
        self._push_records()
        self.server.lpush(ITEMS, pickle.dumps({"item": item}))
        stats = self.crawler.stats
        if item.outcome is not None and item.outcome.report is not None:
            stats.inc_value("nianbao/reports_stored")
        return {"url": item.url, "queued_for_writer": True}

    def close_spider(self, spider=None):
        self._push_records()
        stats = {k: v for k, v in self.crawler.stats.get_stats().items() if isinstance(v, int | float | str)}
        self.server.lpush(ITEMS, pickle.dumps({"stats": stats, "worker": WORKER_ID}))


# ---------------------------------------------------------------- the single writer

def crawl_active(server, queue_key: str) -> bool:
    workers = [w.decode() for w in server.smembers(WORKERS)]
    return bool(server.zcard(queue_key) or server.hlen(OWNERS) or any(server.exists(alive_key(w)) for w in workers))


def store_worker(redis_url: str, db_path: str, until_done: bool = False, idle_seconds: float = 3.0,
                 spider: str = "reports", out=sys.stdout) -> dict:
    """Drain the items list into SQLite, one transaction per item. With until_done, return once the
    queue, the leases and the list are empty and no worker is alive."""
    from . import incremental, runs, store
    from .schema import ParseOutcome
    server = redis.StrictRedis.from_url(redis_url)
    db = store.open_db(db_path)
    while server.rpoplpush(WRITING, ITEMS):       # items a killed writer had taken but not stored
        pass
    run_id, _ = runs.open_run(db, {"mode": "distributed", "redis": redis_url})
    counts = {"items": 0, "reports": 0, "new_reports": 0, "workers": 0}
    stats: dict = {}
    new: list[str] = []
    queue_key = QUEUE_KEY % {"spider": spider}
    idle_since = time.monotonic()
    try:
        while True:
            data = server.brpoplpush(ITEMS, WRITING, timeout=1)
            if data is None:
                if until_done and server.scard(WORKERS) and not crawl_active(server, queue_key) \
                        and time.monotonic() - idle_since > idle_seconds:
                    break
                continue
            idle_since = time.monotonic()
            message = pickle.loads(data)
            if "item" in message:
                item = message["item"]
                result = store.store_fetch(db, item, item.outcome or ParseOutcome("error", reason="not parsed"))
                counts["items"] += 1
                if result["status"] == "report":
                    counts["reports"] += 1
                if result.get("new_report"):
                    counts["new_reports"] += 1
                    new.append(runs.report_label(db, result["key"]))
            elif "records" in message:
                incremental.write_records(db, message["records"])
            elif "stats" in message:
                counts["workers"] += 1
                stats = runs.merge_stats(stats, message["stats"])
            server.lrem(WRITING, 1, data)
    finally:
        from . import datasetstore
        datasetstore.refresh(db)       # checks across reports, as at the end of a single-process crawl
        stats["nianbao/run_id"] = run_id
        runs.finish_run(db, run_id, stats, new, [], "finished")
        db.close()
    print(f"store-worker: {counts['items']} items stored ({counts['reports']} report versions, "
          f"{counts['new_reports']} new reports) from {counts['workers']} worker run(s) into {db_path}", file=out, flush=True)
    return counts


def worker_command(redis_url: str, scrapy_args: list[str]) -> list[str]:
    """`scrapy crawl reports` as a worker, the settings given on the command line."""
    settings = [arg for name, value in worker_settings(redis_url).items()
                for arg in ("-s", f"{name}={json.dumps(value) if isinstance(value, dict) else value}")]
    return [sys.executable, "-m", "scrapy", "crawl", "reports", *settings, *scrapy_args]


def reset(redis_url: str, spider: str = "reports") -> None:
    """Forget a finished distributed crawl (queue, duplicate filter, leases, worker list)."""
    server = redis.StrictRedis.from_url(redis_url)
    server.delete(QUEUE_KEY % {"spider": spider}, f"{spider}:dupefilter", LEASES, OWNERS, WORKERS, ITEMS, WRITING)
