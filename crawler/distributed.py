"""Distributed mode on Redis: any number of worker processes, on any number of machines, share
one request queue, one duplicate filter and each portal's page budget (scrapy-redis); each fetches
and parses; exactly one writer (`python -m crawler store-worker`) drains the parsed items from a
Redis list into SQLite.

    python -m crawler store-worker --redis redis://HOST:6379/0 [--db output/reports.db] [--until-done]
    python -m crawler worker --redis redis://HOST:6379/0 [-a portals=... other scrapy arguments]

Nothing is lost when a worker dies:

* a request taken from the queue is *leased* to its worker (one Lua script pops and leases) until
  its callback has run, every request it gave is queued and every item it gave is on the list
  (items a report's later pages complete travel inside the queued follow-up request);
* queuing a request is one Lua script too: the duplicate filter's fingerprint, the portal's budget,
  the queue and (for a redirect or retry) the release of the lease it replaces change together, so
  a fingerprint is never recorded without its request being queued;
* a worker's heartbeat (a thread, WORKER_HEARTBEAT seconds) keeps its leases; once it stops, any
  live worker puts them back in the queue, past the duplicate filter;
* the writer moves each item to a processing list while it stores it, so a writer killed
  mid-transaction finds it again when it restarts (storing is idempotent).

The store-worker opens the crawl's run (a `crawl_runs` row) and publishes what earlier crawls know
(pages, their validators and links, stored report URLs, robots.txt) in Redis, so workers skip known
reports without the database; when the crawl is over it records the workers' merged stats, runs
the monitors (crawler.monitor), prints the summary and clears the crawl's keys for the next one.
"""
from __future__ import annotations

import json
import os
import pickle
import socket
import sys
import threading
import time
import uuid
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

import redis
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from . import render
from .incremental import Known, KnownPages

PREFIX = "nianbao"
ITEMS = f"{PREFIX}:items"
WRITING = f"{PREFIX}:items:writing"
LEASES = f"{PREFIX}:leases"              # lease -> encoded request
OWNERS = f"{PREFIX}:lease-owners"        # lease -> "worker|score"
WORKERS = f"{PREFIX}:workers"            # every worker that joined this crawl
WORKER_STATS = f"{PREFIX}:worker-stats"  # worker -> its latest stats (pickled), "finished" once it closed
BUDGET = f"{PREFIX}:budget"              # portal start URL -> requests queued for it
RUN = f"{PREFIX}:run"                    # the crawl_runs id the store-worker opened for this crawl
KNOWN = f"{PREFIX}:known"                # url -> JSON of crawler.incremental.Known, from earlier crawls
ROBOTS = f"{PREFIX}:robots"              # robots.txt URL -> pickled {"body", "fetched_at"}
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
QUEUE_KEY = "%(spider)s:requests"
DUPEFILTER_KEY = "%(spider)s:dupefilter"
_GAUGES = ("nianbao/portals", "elapsed_time_seconds", "memusage/")     # the largest worker's, not the sum


def alive_key(worker: str) -> str:
    return f"{PREFIX}:alive:{worker}"


def crawl_keys(spider: str = "reports") -> list[str]:
    """Everything one distributed crawl keeps in Redis (cleared by the store-worker when it is over)."""
    return [QUEUE_KEY % {"spider": spider}, DUPEFILTER_KEY % {"spider": spider}, LEASES, OWNERS, WORKERS,
            WORKER_STATS, BUDGET, RUN, KNOWN, ROBOTS]


def worker_settings(redis_url: str) -> dict:
    """The Scrapy settings that turn `scrapy crawl reports` into a worker."""
    return {
        "REDIS_URL": redis_url,
        "SCHEDULER": "crawler.distributed.LeasedScheduler",
        "SCHEDULER_QUEUE_CLASS": "crawler.distributed.LeasedQueue",
        "SCHEDULER_QUEUE_KEY": QUEUE_KEY,
        "SCHEDULER_DUPEFILTER_KEY": DUPEFILTER_KEY,
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_PERSIST": True,
        "ITEM_PIPELINES": {"pipelines.ParsePipeline": 300, "crawler.distributed.RedisItemPipeline": 800},
        "EXTENSIONS": {"crawler.distributed.WorkerLeases": 450, "crawler.progress.CrawlProgress": 500},
        "SPIDERMON_ENABLED": False,      # the store-worker runs the monitors on the whole crawl
        "KNOWN_PAGES": "crawler.distributed.RedisKnownPages",
        "REPORTS_DB": "",                # a worker never opens the database
    }


# ---------------------------------------------------------------- the shared queue

# KEYS: queue, dupefilter, budget, owners, leases
# ARGV: fingerprint ('' = not filtered), score, request, lease it replaces ('' = none),
#       budget field ('' = none), budget (-1 = not counted, 0 = counted without a limit, N = at most N)
_ENQUEUE = """
local outcome = 1
local budget = tonumber(ARGV[6])
if ARGV[1] ~= '' and redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then
  outcome = 0
elseif ARGV[5] ~= '' and budget > 0 and tonumber(redis.call('HGET', KEYS[3], ARGV[5]) or '0') >= budget then
  outcome = 2
else
  if ARGV[1] ~= '' then redis.call('SADD', KEYS[2], ARGV[1]) end
  if ARGV[5] ~= '' and budget >= 0 then redis.call('HINCRBY', KEYS[3], ARGV[5], 1) end
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
end
if ARGV[4] ~= '' then
  redis.call('HDEL', KEYS[4], ARGV[4])
  redis.call('HDEL', KEYS[5], ARGV[4])
end
return outcome
"""
DUPLICATE, QUEUED, OVER_BUDGET = 0, 1, 2

_POP_AND_LEASE = """
local item = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #item == 0 then return false end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
redis.call('HSET', KEYS[2], ARGV[1], item[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2] .. '|' .. item[2])
return item[1]
"""

# KEYS: owners, leases, queue; ARGV: lease, its owner entry
_REQUEUE = """
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
local data = redis.call('HGET', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
if not data then return 0 end
local score = string.match(ARGV[2], '|([^|]*)$')
redis.call('ZADD', KEYS[3], score, data)
return 1
"""


class LeasedQueue(PriorityQueue):
    """scrapy-redis' priority queue whose pop leases the request to this worker and whose push
    checks the duplicate filter and the portal's budget in the same atomic step."""

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

    def push(self, request, fingerprint: str = "") -> int:
        if request.meta.get("playwright"):
            # the browser's route guard is a closure: queued as a flag, rebuilt by the worker that pops it
            request = request.replace(meta={**{k: v for k, v in request.meta.items() if not k.startswith("playwright")},
                                            "render_in_browser": True})
        # a retry or redirect of a leased request: its lease ends as it is queued (or refused)
        lease = request.meta.pop("lease", None) or ""
        field, budget = self._budget(request)
        if field and request.meta.get("redirect_times"):
            request.meta["budget_spent_on"] = request.url     # counted here: crawler.guard does not count the hop again
        return self.server.eval(_ENQUEUE, 5, self.key, DUPEFILTER_KEY % {"spider": self.spider.name}, BUDGET, OWNERS, LEASES,
                                fingerprint, -request.priority, self._encode_request(request), lease, field, budget)

    def _budget(self, request) -> tuple[str, int]:
        """The portal's page budget, shared by all workers and spent once per request queued.
        A retry is no new page; a later page of a report carries the report's item, which must not
        be lost, so it counts but is never refused (the spider's own budget check comes first)."""
        index = request.meta.get("portal")
        if index is None or not hasattr(self.spider, "portals"):
            return "", -1
        if request.meta.get("retry_times"):
            return "", -1
        return self.spider.portals[index].start_url, 0 if "item" in request.meta else self.spider.max_pages


class LeasedScheduler(Scheduler):
    """scrapy-redis' scheduler with LeasedQueue's atomic push in place of filter-then-push, so a
    worker killed between the two cannot leave a fingerprint whose request is in no queue."""

    def enqueue_request(self, request):
        fingerprint = "" if request.dont_filter else self.df.request_fingerprint(request)
        outcome = self.queue.push(request, fingerprint)
        if outcome == DUPLICATE:
            self.df.log(request, self.spider)
            return False
        if outcome == OVER_BUDGET:
            self.stats.inc_value("nianbao/budget_exhausted")
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        return True


def release(server, lease: str | None) -> None:
    if lease:
        server.hdel(OWNERS, lease)
        server.hdel(LEASES, lease)


def requeue_dead(server, queue_key: str) -> int:
    """Put the leases of workers whose heartbeat stopped back in the queue; returns how many."""
    requeued = 0
    for lease, owner in server.hgetall(OWNERS).items():
        worker = owner.decode().rpartition("|")[0]
        if not server.exists(alive_key(worker)):
            requeued += server.eval(_REQUEUE, 3, OWNERS, LEASES, queue_key, lease, owner)
    return requeued


def portable_stats(stats: dict) -> dict:
    """The stats that survive pickling to another machine's Python (no datetimes)."""
    return {k: v for k, v in stats.items() if isinstance(v, int | float | str | list | dict)}


class WorkerLeases:
    """Heartbeat, release of each lease once its response (or failure) has been fully handled,
    the worker's stats for the writer, and a worker that stays while others may still produce
    work or die."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.server = redis.StrictRedis.from_url(crawler.settings.get("REDIS_URL"))
        self.ttl = crawler.settings.getfloat("WORKER_HEARTBEAT", 15)
        self.stopped = threading.Event()
        # a thread, not the reactor: a reactor busy for a while (a big page) must not lose the leases
        self.heart = threading.Thread(target=self._beat_until_stopped, name="nianbao-heartbeat", daemon=True)
        self.stats_loop = task.LoopingCall(self.publish_stats)
        self.beat()        # alive before the first request is popped and leased

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def queue_key(self) -> str:
        return QUEUE_KEY % {"spider": self.crawler.spider.name}

    def spider_opened(self, spider):
        if hasattr(spider, "scheduled"):
            spider.scheduled = SharedBudget(self.server, spider)

    def engine_started(self):
        self.server.sadd(WORKERS, WORKER_ID)
        self.heart.start()
        self.stats_loop.start(max(self.ttl / 3, 1), now=True)
        scraper = self.crawler.engine.scraper
        handle = scraper._scrape

        async def handle_then_release(result, request):
            try:
                await handle(result, request)      # callback or errback, requests queued, items pushed
            finally:
                push_records(self.server, self.crawler)
                release(self.server, request.meta.get("lease"))
        scraper._scrape = handle_then_release

    def beat(self):
        self.server.set(alive_key(WORKER_ID), "1", px=int(self.ttl * 1000))

    def _beat_until_stopped(self):
        while not self.stopped.wait(self.ttl / 3):
            try:
                self.beat()
            except redis.RedisError as exc:      # Redis away for a moment: the next beat may reach it
                self.crawler.spider.logger.warning("heartbeat not sent: %s", exc)

    def publish_stats(self, finished: bool = False):
        stats = portable_stats(self.crawler.stats.get_stats())
        self.server.hset(WORKER_STATS, WORKER_ID, pickle.dumps({"stats": stats, "finished": finished}))

    def spider_idle(self, spider):
        requeued = requeue_dead(self.server, self.queue_key())
        if requeued:
            self.crawler.stats.inc_value("nianbao/leases_requeued", requeued)
            raise DontCloseSpider
        if self.server.zcard(self.queue_key()) or self.server.hlen(OWNERS):
            raise DontCloseSpider        # queued work, or work in other workers' hands that may come back

    def spider_closed(self, spider, reason):
        if self.stats_loop.running:
            self.stats_loop.stop()
        self.stopped.set()
        push_records(self.server, self.crawler)
        self.publish_stats(finished=True)     # before the heartbeat goes: the writer waits for it
        self.server.delete(alive_key(WORKER_ID))


class SharedBudget:
    """The spider's per-portal count of requests (`spider.scheduled`) read from Redis: the requests
    every worker queued for the portal, counted once each as LeasedQueue queues them, so the page
    budget (PORTAL_MAX_PAGES) holds for the whole crawl and a link another worker already queued
    costs nothing. The spider's own `+= 1` is ignored: queuing counts."""

    def __init__(self, server, spider):
        self.server, self.urls = server, [p.start_url for p in spider.portals]

    def __getitem__(self, index: int) -> int:
        return int(self.server.hget(BUDGET, self.urls[index]) or 0)

    def __setitem__(self, index: int, value: int) -> None:
        pass

    def __len__(self) -> int:
        return len(self.urls)


def push_records(server, crawler) -> None:
    """The spider's page and robots.txt records (crawler.incremental) onto the writer's list."""
    state = getattr(crawler, "nianbao_state", None)
    records = state.drain() if state else []
    if records:
        server.lpush(ITEMS, pickle.dumps({"records": records}))


class RedisItemPipeline:
    """The worker's last pipeline: the parsed item (raw bytes, outcome) and the spider's page
    records go to the writer's list."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.server = redis.StrictRedis.from_url(crawler.settings.get("REDIS_URL"))

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item, spider=None):
        push_records(self.server, self.crawler)
        self.server.lpush(ITEMS, pickle.dumps({"item": item}))
        return {"url": item.url, "queued_for_writer": True}


class RedisKnownPages:
    """A worker's read side of the crawl state (crawler.incremental.KnownPages' twin): what the
    store-worker published from the database when it opened the run, one HGET per URL. robots.txt
    a worker fetches is shared with the others at once."""

    def __init__(self, server):
        self.server = server
        run = server.get(RUN)
        self.run_id = int(run) if run else None

    @classmethod
    def from_crawler(cls, crawler):
        known = cls(redis.StrictRedis.from_url(crawler.settings.get("REDIS_URL")))
        if known.run_id is None:
            import logging
            logging.getLogger(__name__).warning("no store-worker has opened a run on this Redis: every page is fetched")
        return known

    def lookup(self, url: str) -> Known | None:
        data = self.server.hget(KNOWN, url)
        return Known(**json.loads(data)) if data else None

    def stored(self, url: str) -> bool:
        known = self.lookup(url)
        return bool(known and known.stored)

    def stored_before_run(self, url: str, run_id: int | None) -> bool:
        return self.stored(url)        # published before the run started

    def robots(self, robots_url: str, max_age_hours: float) -> bytes | None:
        data = self.server.hget(ROBOTS, robots_url) if max_age_hours > 0 else None
        if data is None:
            return None
        row = pickle.loads(data)
        age = datetime.now(UTC) - datetime.fromisoformat(row["fetched_at"])
        return row["body"] if age < timedelta(hours=max_age_hours) else None

    def share_robots(self, record: dict) -> None:
        self.server.hset(ROBOTS, record["url"], pickle.dumps({"body": record["body"], "fetched_at": record["fetched_at"]}))

    def close(self):
        pass


# ---------------------------------------------------------------- the single writer

def publish_known(server, db_path: str) -> int:
    """What earlier crawls in the database know, into Redis for the workers; returns how many URLs."""
    known = KnownPages(db_path)
    count = 0
    try:
        with server.pipeline(transaction=False) as pipe:
            for url in known.urls():
                pipe.hset(KNOWN, url, json.dumps(asdict(known.lookup(url)), ensure_ascii=False))
                count += 1
                if count % 1000 == 0:
                    pipe.execute()
            for row in known.robots_rows():
                pipe.hset(ROBOTS, row["url"], pickle.dumps({"body": row["body"], "fetched_at": row["fetched_at"]}))
            pipe.execute()
    finally:
        known.close()
    return count


def crawl_active(server, queue_key: str) -> bool:
    workers = [w.decode() for w in server.smembers(WORKERS)]
    return bool(server.zcard(queue_key) or server.hlen(OWNERS) or any(server.exists(alive_key(w)) for w in workers))


def merge_worker_stats(stats: list[dict]) -> dict:
    """The crawl's stats from each worker's: counts added, sizes and times the largest."""
    merged: dict = {}
    for one in stats:
        for key, value in one.items():
            old = merged.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool) and isinstance(old, int | float):
                merged[key] = max(old, value) if key.startswith(_GAUGES) else old + value
            else:
                merged[key] = value
    return merged


class StoreRun:
    """One distributed crawl as the writer sees it: its crawl_runs row, the items stored into it,
    and at the end its stats, monitors and summary, as a single-process crawl records them."""

    def __init__(self, server, db, db_path: str, redis_url: str):
        from . import runs
        self.server, self.db, self.db_path = server, db, db_path
        run = server.get(RUN)
        row = next(db.query("SELECT * FROM crawl_runs WHERE id = ?", [int(run)]), None) if run else None
        if row and row["status"] == "running":        # a writer restarted mid-crawl goes on with its run
            self.run_id, self.resumed = row["id"], True
            self.new, self.changed = json.loads(row["new_reports"] or "[]"), json.loads(row["changed_reports"] or "[]")
            self.stats = json.loads(row["stats"] or "{}").get("nianbao/writer", {})
        else:
            self.run_id, _ = runs.open_run(db, {"mode": "distributed", "redis": _without_password(redis_url)})
            self.resumed, self.new, self.changed, self.stats = False, [], [], {}
            server.delete(*crawl_keys())
            self.known_urls = publish_known(server, db_path)
            server.set(RUN, self.run_id)       # last: workers wait for it
        self.items = self.stats.get("nianbao/items_stored", 0)
        self.closed = False
        self.keys: set[str] = set(self.stats.pop("nianbao/report_keys", []))

    def store(self, item) -> dict:
        from . import runs
        from .schema import ParseOutcome
        result = runs.store_item(self.db, item, item.outcome or ParseOutcome("error", reason="not parsed"),
                                 self.new, self.changed)
        stats = self.stats
        self.items += 1
        stats["nianbao/items_stored"] = self.items
        for key in result["stats"]:
            stats[key] = stats.get(key, 0) + 1
        if result["status"] == "report":
            self.keys.add(result["key"])
        return result

    def _stats(self) -> dict:
        """The workers' stats with the writer's counts added; the writer's also kept apart, for a
        writer restarted mid-crawl."""
        worker_stats, _, _ = self.worker_stats()
        writer = {**self.stats, "nianbao/report_keys": sorted(self.keys)}
        return {**merge_worker_stats([worker_stats, self.stats]), "nianbao/writer": writer}

    def worker_stats(self) -> tuple[dict, int, int]:
        """(merged stats, workers that finished, workers that died or are still running)."""
        entries = [pickle.loads(v) for v in self.server.hvals(WORKER_STATS)]
        finished = sum(1 for e in entries if e["finished"])
        return merge_worker_stats([e["stats"] for e in entries]), finished, len(entries) - finished

    def checkpoint(self):
        from . import runs
        runs.checkpoint(self.db, self.run_id, self._stats(), self.new, self.changed)

    def finish(self, settings, status: str = "finished") -> tuple[dict, int, int]:
        from . import datasetstore, monitor, runs
        _, finished, lost = self.worker_stats()
        stats = self._stats()
        stats.pop("nianbao/writer")
        stats.update({"nianbao/run_id": self.run_id, "nianbao/db": self.db_path, "nianbao/reports_found": len(self.keys),
                      "nianbao/workers": finished + lost, "nianbao/workers_lost": lost, "finish_reason": status})
        for code, count in datasetstore.refresh(self.db).items():      # checks across reports, as a single crawl does
            stats[f"nianbao/dataset/{code}"] = count
        stats["nianbao/reports_in_db"] = self.db["reports"].count
        stats["nianbao/new_reports"], stats["nianbao/changed_reports"] = self.new, self.changed
        previous = runs.previous_runs(self.db, self.run_id)
        stats["nianbao/previous_run"] = previous[0]["started_at"] if previous else None
        verdict = monitor.check_run(self.db, self.run_id, stats, monitor.config_from_settings(settings))
        stats["nianbao/monitor"] = verdict
        if status == "finished" and not monitor.passed(verdict):
            status = "failed"
        stats["nianbao/run_status"] = status
        runs.finish_run(self.db, self.run_id, stats, self.new, self.changed, status, verdict)
        self.closed = True
        return stats, finished, lost

    def forget(self):
        """A run no worker joined (a waiting store-worker stopped): no row, no keys."""
        with self.db.conn:
            self.db["crawl_runs"].delete(self.run_id)
        self.server.delete(*crawl_keys())


def _without_password(url: str) -> str:
    from urllib.parse import urlsplit, urlunsplit
    parts = urlsplit(url)
    netloc = parts.hostname + (f":{parts.port}" if parts.port else "") if parts.password else parts.netloc
    return urlunsplit(parts._replace(netloc=netloc))


def store_worker(redis_url: str, db_path: str, until_done: bool = False, idle_seconds: float = 3.0,
                 spider: str = "reports", out=sys.stdout, settings=None) -> dict:
    """Drain the items list into SQLite, one transaction per item, one crawl_runs row per crawl.
    A crawl is over when workers joined and the queue, the leases and the list are empty and no
    worker is alive; then its run is closed and, without until_done, the next one opened."""
    from scrapy.utils.project import get_project_settings

    from . import incremental, progress, store
    settings = settings or get_project_settings()
    server = redis.StrictRedis.from_url(redis_url)
    db = store.open_db(db_path)
    while server.rpoplpush(WRITING, ITEMS):       # items a killed writer had taken but not stored
        pass
    queue_key = QUEUE_KEY % {"spider": spider}
    counts: dict = {}
    run = StoreRun(server, db, db_path, redis_url)
    try:
        while True:
            print(f"store-worker: run {run.run_id} {'resumed' if run.resumed else 'opened'}; waiting for workers "
                  f"on {_without_password(redis_url)}", file=out, flush=True)
            idle_since = last_checkpoint = time.monotonic()
            while True:
                data = server.brpoplpush(ITEMS, WRITING, timeout=1)
                if data is None:
                    if server.scard(WORKERS) and not crawl_active(server, queue_key) \
                            and time.monotonic() - idle_since > idle_seconds:
                        break
                    if time.monotonic() - last_checkpoint > 30:
                        last_checkpoint = time.monotonic()
                        run.checkpoint()
                    continue
                idle_since = time.monotonic()
                message = pickle.loads(data)
                if "item" in message:
                    try:
                        run.store(message["item"])
                    except Exception as exc:     # rolled back; counted, and the crawl goes on (as StorePipeline does)
                        run.stats["nianbao/errors/store"] = run.stats.get("nianbao/errors/store", 0) + 1
                        print(f"store-worker: could not store {message['item'].url}: {exc}", file=sys.stderr, flush=True)
                elif "records" in message:
                    incremental.write_records(db, message["records"])
                server.lrem(WRITING, 1, data)
            stats, finished, lost = run.finish(settings)
            counts = {"items": run.items, "reports": stats.get("nianbao/reports_stored", 0),
                      "new_reports": len(run.new), "workers": finished, "workers_lost": lost, "run_id": run.run_id}
            print(progress.format_crawl_summary(stats), file=out, flush=True)
            print(f"store-worker: {counts['items']} items stored ({counts['reports']} report versions, "
                  f"{counts['new_reports']} new reports) from {finished} worker run(s)"
                  + (f" and {lost} worker(s) that died" if lost else "") + f" into {db_path}", file=out, flush=True)
            server.delete(*crawl_keys(spider))
            if until_done:
                break
            run = StoreRun(server, db, db_path, redis_url)
    finally:
        if not run.closed:       # stopped (Ctrl-C) while a run was open
            if server.scard(WORKERS):
                run.checkpoint()
                from . import runs
                runs.finish_run(db, run.run_id, run._stats(), run.new, run.changed, "shutdown")
            else:
                run.forget()
        store.optimize(db)
        db.close()
    return counts


def worker_command(redis_url: str, scrapy_args: list[str]) -> list[str]:
    """`scrapy crawl reports` as a worker, the settings given on the command line."""
    settings = [arg for name, value in worker_settings(redis_url).items()
                for arg in ("-s", f"{name}={json.dumps(value) if isinstance(value, dict) else value}")]
    return [sys.executable, "-m", "scrapy", "crawl", "reports", *settings, *scrapy_args]


def wait_for_run(redis_url: str, seconds: float) -> int | None:
    """The run a store-worker opened on this Redis, waiting up to `seconds` for one."""
    server = redis.StrictRedis.from_url(redis_url)
    deadline = time.monotonic() + seconds
    while True:
        run = server.get(RUN)
        if run or time.monotonic() >= deadline:
            return int(run) if run else None
        time.sleep(0.2)
