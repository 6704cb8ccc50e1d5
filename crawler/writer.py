"""The store's own thread: SQLite writes, merges and the run's bookkeeping run here, off the
reactor, so that fetching and the spider's decisions never wait on the database.

One thread owns the one connection (a sqlite3 connection stays on the thread that opened it).
Jobs run one at a time in the order they were submitted, each its own transaction(s) as the
store defines them, so a job submitted last ends after every write submitted before it: the
end of a crawl waits for all writes by awaiting its own last job.
"""
from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from twisted.internet.defer import Deferred
from twisted.python.failure import Failure


class StoreWriter:
    def __init__(self, open_db: Callable[[], Any]):
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="nianbao-store")
        self.db = self._executor.submit(open_db).result()

    def run(self, job: Callable[..., Any], *args) -> Any:
        """job(db, *args) in the writer thread, waiting for it: for start-up only, before the crawl runs."""
        return self.submit(job, *args).result()

    def submit(self, job: Callable[..., Any], *args) -> Future:
        """job(db, *args) queued for the writer thread."""
        return self._executor.submit(job, self.db, *args)

    def call(self, job: Callable[..., Any], *args) -> Deferred:
        """job(db, *args) in the writer thread; the Deferred fires on the reactor thread with its result."""
        return deferred_from_future(self.submit(job, *args))

    def close(self) -> None:
        """Close the connection in its own thread (after every job submitted before) and end the thread."""
        self._executor.submit(self.db.close).result()
        self._executor.shutdown(wait=True)


def deferred_from_future(future: Future) -> Deferred:
    """A Deferred fired on the reactor thread when a concurrent.futures Future (of any thread) is done."""
    from twisted.internet import reactor
    done: Deferred = Deferred()
    future.add_done_callback(lambda finished: reactor.callFromThread(_fire, done, finished))
    return done


def _fire(done: Deferred, future: Future) -> None:
    error = future.exception()
    if error is not None:
        done.errback(Failure(error))
    else:
        done.callback(future.result())
