"""Fault injection for the distributed-mode tests: a worker that SIGKILLs itself, with its whole
process group (the `crawler worker` wrapper, its parse workers), at one chosen moment:

    -s KILL_AT=leased:N          its Nth request reached the downloader: leased, not fetched yet
    -s KILL_AT=leased:KIND:N     the same for its Nth request of one kind (continuation, image, ...)
    -s KILL_AT=pushed:N          its Nth item is on the writer's list, the request's lease not yet released
    -s KILL_AT=parsing:N         its Nth item is in the parse workers
"""
import os
import signal

from scrapy import signals

from crawler import workers


def _kill():
    os.killpg(os.getpgid(0), signal.SIGKILL)


class KillAt:
    def __init__(self, crawler):
        moment, _, rest = crawler.settings.get("KILL_AT").partition(":")
        self.kind, _, count = rest.rpartition(":")
        self.count, self.seen = int(count), 0
        if moment == "leased":
            crawler.signals.connect(self.leased, signal=signals.request_reached_downloader)
        elif moment == "pushed":
            crawler.signals.connect(self.counted, signal=signals.item_scraped)
        elif moment == "parsing":
            run = workers.ParseRunner.run

            def run_then_die(runner, item, *args, **kwargs):
                self.counted()
                return run(runner, item, *args, **kwargs)
            workers.ParseRunner.run = run_then_die
        else:
            raise ValueError(f"KILL_AT: unknown moment {moment!r}")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def leased(self, request, spider):
        if not self.kind or request.meta.get("kind") == self.kind:
            self.counted()

    def counted(self, *args, **kwargs):
        self.seen += 1
        if self.seen == self.count:
            _kill()
