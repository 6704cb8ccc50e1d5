"""Parsing in worker processes, each parse under a time and a memory limit.

A hostile file (a zip bomb, a PDF of 2 000 pages, a table of 5 000 cells spanning 50×50, a page
of a million links) must cost one parse, not the crawl: the worker's address space is capped
(RLIMIT_AS), a parse that runs past PARSE_TIMEOUT is stopped (an alarm in the worker; if C code
does not return, the worker is killed PARSE_KILL_GRACE seconds later and replaced), and the
outcome is recorded as limit_exceeded with the reason with the raw bytes kept for a later reparse.
"""
from __future__ import annotations

import multiprocessing
import queue
import resource
import signal
from concurrent.futures import BrokenExecutor, Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from . import limits
from .jobs import parse_item, parse_job
from .lifeline import exit_with_parent
from .schema import LIMIT_EXCEEDED, ParseOutcome

PARSE_KILL_GRACE = 5        # seconds between the worker's own alarm and killing it
WORKER_START_TIMEOUT = 300  # seconds for a worker to import and warm up
_WARM_UP_PAGE = "<html><head><title>2021年政府信息公开工作年度报告</title></head><body><p>本年新收</p></body></html>".encode()


class ParseTimeout(BaseException):
    """Raised by the alarm in a worker; a BaseException so no `except Exception` in the parser
    takes it for a broken file."""


def _loaded(job) -> None:
    """Nothing: receiving `job` has imported its module in the worker."""


def _on_alarm(signum, frame):
    raise ParseTimeout


def _start_worker(values: dict[str, int]) -> None:
    exit_with_parent()
    limits.configure(values)
    memory = limits.PARSE_MEMORY_MB * 1024 * 1024
    if memory > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    signal.signal(signal.SIGALRM, _on_alarm)
    # The first parse of a process loads dictionaries and caches (about a second): done here, so
    # the time limit measures the parse and not the warm-up.
    parse_job(_WARM_UP_PAGE)


def run_limited(job, argument, timed: bool = True):
    """In the worker: the job under the time limit, a memory failure turned into its reason.
    (A thread has no alarm of its own: `timed` is off there.)"""
    if timed:
        signal.alarm(limits.PARSE_TIMEOUT)
    try:
        return job(argument)
    except ParseTimeout:
        return ParseOutcome(LIMIT_EXCEEDED, reason=f"parse limit: time ({limits.PARSE_TIMEOUT} s) exceeded")
    except MemoryError:
        return ParseOutcome(LIMIT_EXCEEDED, reason=f"parse limit: memory ({limits.PARSE_MEMORY_MB} MiB) exceeded")
    finally:
        if timed:
            signal.alarm(0)


class ParseRunner:
    """Runs a parse job in worker processes (or a thread when workers=0, without limits). Each
    worker is its own one-process pool, so killing one for running too long, or losing one to a
    crash in C code, costs that parse alone; the worker is started anew."""

    def __init__(self, workers: int, job=parse_item, limit_values: dict[str, int] | None = None,
                 start_method: str = "spawn"):
        self.workers = workers
        self.job = job
        self.limit_values = limit_values or {name: getattr(limits, name) for name in limits.PARSER_LIMITS}
        self.start_method = start_method
        self.idle: queue.Queue[Executor] = queue.Queue()
        for _ in range(max(workers, 1)):
            self.idle.put(self._new_executor())

    def _new_executor(self) -> Executor:
        if self.workers > 0:
            return ProcessPoolExecutor(1, mp_context=multiprocessing.get_context(self.start_method),
                                       initializer=_start_worker, initargs=(self.limit_values,))
        return ThreadPoolExecutor(1)

    def run(self, item) -> ParseOutcome:
        """Blocking: call it from a thread, never from the reactor."""
        executor = self.idle.get()
        try:
            if self.workers == 0:
                return executor.submit(run_limited, self.job, item, False).result()
            timeout = self.limit_values["PARSE_TIMEOUT"]
            if not getattr(executor, "started", False):
                # start the worker and import the job's module first (the job travels by
                # reference), so neither is counted against the parse
                executor.submit(_loaded, self.job).result(timeout=WORKER_START_TIMEOUT)
                executor.started = True
            future = executor.submit(run_limited, self.job, item)
            return future.result(timeout=timeout + PARSE_KILL_GRACE if timeout > 0 else None)
        except FutureTimeout:
            self._kill(executor)
            executor = self._new_executor()
            return ParseOutcome(LIMIT_EXCEEDED,
                                reason=f"parse limit: time ({timeout} s) exceeded; the worker was killed and replaced")
        except BrokenExecutor as exc:
            executor.shutdown(wait=False)
            executor = self._new_executor()
            return ParseOutcome("error", reason=f"parser worker died: {exc.__class__.__name__}")
        finally:
            self.idle.put(executor)

    @staticmethod
    def _kill(executor: ProcessPoolExecutor) -> None:
        for process in list((executor._processes or {}).values()):
            process.kill()
        executor.shutdown(wait=False, cancel_futures=True)

    def close(self):
        while not self.idle.empty():
            self.idle.get().shutdown(wait=True)
