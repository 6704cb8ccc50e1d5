"""Crawl throughput of each mode on the demo portals, measured in one run against the
single-process first crawl as the baseline:

    .venv/bin/python bench/crawl_bench.py [--workers 2]

single process (first crawl), incremental re-crawl (same database, right after), and the
distributed mode (Redis on loopback, N workers + the store-worker; skipped without redis-server),
first crawl and re-crawl (same Redis, same database).
Politeness delays are set to the test suite's (AutoThrottle start 0.05 s, no download delay), so
the figures are what the machine can do, not what a polite crawl of one portal does.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.demo import DEMO, crawl_command, free_port, portals_for_port  # noqa: E402
from demo.server import DemoServer  # noqa: E402

FAST = ["-s", "AUTOTHROTTLE_START_DELAY=0.05", "-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_BACKOFF_BASE=0.1"]


def reports_in(db: Path) -> int:
    import sqlite_utils
    return sqlite_utils.Database(db)["reports"].count


def timed(server, run) -> tuple[float, int]:
    start, begin = len(server.requests), time.perf_counter()
    run()
    return time.perf_counter() - begin, len(server.requests) - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    server = DemoServer(free_port(0)).start_background()
    work = Path(tempfile.mkdtemp(prefix="nianbao-bench-"))
    portals = portals_for_port(server.server_port, work / "portals.csv")
    rows = []

    def single(db, *extra):
        subprocess.run(crawl_command(portals, str(db), *FAST, *extra), cwd=ROOT, check=True, capture_output=True)

    db = work / "single.db"
    seconds, requests = timed(server, lambda: single(db))
    rows.append(("single process, first crawl", seconds, requests, reports_in(db)))
    seconds, requests = timed(server, lambda: single(db))
    rows.append(("single process, incremental re-crawl", seconds, requests, 0))

    redis_server = shutil.which("redis-server")
    if redis_server:
        port = free_port(0)
        redis = subprocess.Popen([redis_server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--dir", str(work)],
                                 stdout=subprocess.DEVNULL)
        time.sleep(0.5)
        url = f"redis://127.0.0.1:{port}/0"
        db = work / "distributed.db"

        def distributed():
            writer = subprocess.Popen([sys.executable, "-m", "crawler", "store-worker", "--redis", url, "--db", str(db),
                                       "--until-done"], cwd=ROOT, stdout=subprocess.DEVNULL)
            workers = [subprocess.Popen([sys.executable, "-m", "crawler", "worker", "--redis", url, "-a", f"portals={portals}",
                                         "-s", f"RESOLVE_FILE={DEMO / 'hosts.txt'}", "-s", "ALLOW_PRIVATE_ADDRESSES=127.0.0.1", "-s", "LOG_LEVEL=WARNING", *FAST],
                                        cwd=ROOT, stdout=subprocess.DEVNULL) for _ in range(args.workers)]
            for process in [*workers, writer]:
                process.wait()
        try:
            seconds, requests = timed(server, distributed)
            rows.append((f"distributed, {args.workers} workers + store-worker", seconds, requests, reports_in(db)))
            seconds, requests = timed(server, distributed)
            rows.append((f"distributed re-crawl, {args.workers} workers", seconds, requests, 0))
        finally:
            redis.terminate()
    server.shutdown()
    shutil.rmtree(work, ignore_errors=True)

    base_seconds = rows[0][1]
    print(f"{'mode':<40}{'seconds':>9}{'requests':>10}{'pages/h':>10}{'reports/h':>11}{'time ratio':>12}")
    for name, seconds, requests, reports in rows:
        print(f"{name:<40}{seconds:>9.1f}{requests:>10}{requests / seconds * 3600:>10.0f}"
              f"{reports / seconds * 3600:>11.0f}{seconds / base_seconds:>11.2f}x")


if __name__ == "__main__":
    main()
