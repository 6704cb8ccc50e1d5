"""The distributed mode's shared queue on a real redis-server: queuing is atomic with the duplicate
filter, the portal's page budget and the end of the lease a redirect or retry replaces, and a dead
worker's lease goes back to the queue past the duplicate filter."""
from pathlib import Path

import pytest
import redis
import scrapy

from crawler.distributed import (
    BUDGET,
    DUPLICATE,
    LEASES,
    OVER_BUDGET,
    OWNERS,
    QUEUED,
    WORKER_ID,
    LeasedQueue,
    SharedBudget,
    alive_key,
    requeue_dead,
)
from crawler.portals import portals_from_urls
from tests.test_distributed import REDIS_SERVER, redis_url  # noqa: F401

pytestmark = pytest.mark.skipif(not Path(REDIS_SERVER).exists(), reason="redis-server is not installed (make system-deps)")


class Spider(scrapy.Spider):
    name = "reports"
    max_pages = 2

    def parse_page(self, response):
        pass


@pytest.fixture
def queue(redis_url):  # noqa: F811
    spider = Spider()
    spider.portals = portals_from_urls("http://a.example.gov.cn/")
    server = redis.StrictRedis.from_url(redis_url)
    return LeasedQueue(server, spider, "reports:requests"), server


def page(url, **meta):
    return scrapy.Request(url, meta={"portal": 0, **meta})


def test_a_duplicate_is_refused_and_the_lease_it_replaces_ends_either_way(queue):
    q, server = queue
    assert q.push(page("http://a.example.gov.cn/1"), "fp1") == QUEUED
    leased = q.pop()
    assert server.hlen(OWNERS) == 1 and server.hget(OWNERS, leased.meta["lease"]).decode().startswith(WORKER_ID)
    redirect = page("http://a.example.gov.cn/1", lease=leased.meta["lease"], redirect_times=1)
    assert q.push(redirect, "fp1") == DUPLICATE
    assert server.hlen(OWNERS) == 0 and server.hlen(LEASES) == 0 and len(q) == 0


def test_the_page_budget_is_shared_and_spent_once_per_request_queued(queue):
    q, server = queue
    assert [q.push(page(f"http://a.example.gov.cn/{n}"), f"fp{n}") for n in range(3)] == [QUEUED, QUEUED, OVER_BUDGET]
    assert q.push(page("http://a.example.gov.cn/0"), "fp0") == DUPLICATE           # costs nothing
    assert q.push(page("http://a.example.gov.cn/r", retry_times=1), "") == QUEUED   # a retry is no new page
    assert q.push(page("http://a.example.gov.cn/c", item="the report"), "fpc") == QUEUED   # never loses an item
    assert int(server.hget(BUDGET, "http://a.example.gov.cn/")) == 3
    assert SharedBudget(server, q.spider)[0] == 3


def test_a_dead_workers_lease_goes_back_past_the_duplicate_filter(queue):
    q, server = queue
    q.push(page("http://a.example.gov.cn/1"), "fp1")
    lease = q.pop().meta["lease"]
    server.set(alive_key(WORKER_ID), "1")
    assert requeue_dead(server, q.key) == 0 and len(q) == 0         # alive: its lease stands
    server.delete(alive_key(WORKER_ID))
    assert requeue_dead(server, q.key) == 1 and requeue_dead(server, q.key) == 0
    again = q.pop()
    assert again.url == "http://a.example.gov.cn/1" and again.meta["lease"] != lease
