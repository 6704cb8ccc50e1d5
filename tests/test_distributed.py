"""Distributed mode: Debian's redis-server on loopback, crawl workers and the single writer on the
demo portals give the database a single-process crawl gives, even when workers are killed at the
moments where a worker holds work nobody else has; a second distributed crawl skips what the
first stored; each distributed crawl is a crawl_runs row with its stats and monitors."""
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
import sqlite_utils

from crawler.demo import DEMO, free_port, portals_for_port
from crawler.distributed import worker_settings
from tests.conftest import FAST
from tests.fixtures import ROOT
from tests.test_resume import dataset

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
pytestmark = pytest.mark.skipif(not Path(REDIS_SERVER).exists(), reason="redis-server is not installed (make system-deps)")


@pytest.fixture
def redis_url(tmp_path):
    port = free_port(0)
    process = subprocess.Popen([REDIS_SERVER, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
                                "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.StrictRedis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + 30
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            assert time.monotonic() < deadline and process.poll() is None, "redis-server did not start"
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=30)


def start(command):
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def worker_command(server, redis_url, db, *extra):
    portals = portals_for_port(server.server_port, Path(db).parent / "portals.csv")
    return [sys.executable, "-m", "crawler", "worker", "--redis", redis_url, "-a", f"portals={portals}",
            "-s", f"RESOLVE_FILE={DEMO / 'hosts.txt'}", "-s", "ALLOW_PRIVATE_ADDRESSES=127.0.0.1", "-s", "LOG_LEVEL=WARNING",
            "-s", "WORKER_HEARTBEAT=3", *FAST, *extra]


def killed_at(moment: str, redis_url: str) -> tuple[str, ...]:
    """A worker that SIGKILLs itself at `moment` (tests/distributed_faults.py)."""
    extensions = {**worker_settings(redis_url)["EXTENSIONS"], "tests.distributed_faults.KillAt": 900}
    return "-s", f"EXTENSIONS={json.dumps(extensions)}", "-s", f"KILL_AT={moment}"


def distributed_crawl(server, redis_url, db, workers=2, kill_at=()):
    """The writer, then one worker per `kill_at` moment, one at a time, each killing itself at its
    moment (so each surely reaches it), then `workers` workers that finish the crawl."""
    writer = start([sys.executable, "-m", "crawler", "store-worker", "--redis", redis_url, "--db", str(db), "--until-done"])
    for moment in kill_at:
        doomed = start(worker_command(server, redis_url, db, *killed_at(moment, redis_url)))
        _, err = doomed.communicate(timeout=300)
        assert doomed.returncode == -9, f"the worker was not killed at {moment}: {err[-3000:]}"
    workers = [start(worker_command(server, redis_url, db)) for _ in range(workers)]
    for w in workers:
        _, err = w.communicate(timeout=300)
        assert w.returncode == 0, err[-3000:]
    out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err[-3000:]
    return out


def same_dataset(db, expected):
    """The two databases' datasets are equal; on failure, say which reports and sources differ."""
    (got_reports, got_sources), (want_reports, want_sources) = dataset(db), dataset(expected)
    differences = [f"report {k}: {'missing' if k not in got_reports else 'extra' if k not in want_reports else 'differs'}"
                   for k in sorted(set(got_reports) | set(want_reports), key=str) if got_reports.get(k) != want_reports.get(k)]
    differences += [f"source missing: {s}" for s in want_sources if s not in got_sources]
    differences += [f"source extra: {s}" for s in got_sources if s not in want_sources]
    return differences


def run_rows(db):
    return list(sqlite_utils.Database(db).query("SELECT * FROM crawl_runs ORDER BY id"))


def test_two_workers_give_the_single_process_database_then_a_recrawl_skips_what_they_stored(
        server, first_crawl, redis_url, tmp_path):
    db = tmp_path / "reports.db"
    begin = len(server.requests)
    out = distributed_crawl(server, redis_url, db)
    first_requests = len(server.requests) - begin
    assert "from 2 worker run(s) into" in out
    assert same_dataset(db, first_crawl["db"]) == []
    # the run is recorded like a single-process crawl's: stats, monitors, summary
    [run] = run_rows(db)
    stats = json.loads(run["stats"])
    assert run["status"] == "finished" and json.loads(run["arguments"])["mode"] == "distributed"
    assert stats["nianbao/reports_found"] == sqlite_utils.Database(db)["reports"].count
    assert stats["nianbao/requests/page"] > 50 and stats["nianbao/workers"] == 2
    assert [m["monitor"] for m in json.loads(run["monitor"])] == ["portals_silent", "errors_by_kind", "season_silent"]
    assert "nianbao crawl summary" in out and f"run                    #{run['id']}: finished; monitors ok" in out
    assert len(json.loads(run["new_reports"])) == stats["nianbao/reports_found"]

    # a second distributed crawl, same Redis, same database: the workers know what the first stored
    sources = dataset(db)[1]
    begin = len(server.requests)
    out = distributed_crawl(server, redis_url, db, workers=1)
    second_requests = len(server.requests) - begin
    assert second_requests * 4 <= first_requests, (second_requests, first_requests)
    assert dataset(db)[1] == sources          # nothing new stored
    first, second = run_rows(db)
    stats = json.loads(second["stats"])
    assert second["status"] == "finished" and json.loads(second["new_reports"]) == []
    assert stats["nianbao/skipped_known"] > 0 and stats.get("nianbao/not_modified", 0) > 0
    assert stats.get("nianbao/requests/attachment", 0) == 0 and "robotstxt/request_count" not in stats
    assert "since the last run" in out and "0 new report(s)" in out


def test_workers_killed_while_they_hold_work_lose_nothing(server, first_crawl, redis_url, tmp_path):
    """Killed with an item on the list but the lease not released, with an item in the parse
    workers, and with a report's later page (carrying its item) leased: the last worker finishes."""
    db = tmp_path / "reports.db"
    moments = ("pushed:2", "parsing:2", "leased:continuation:1")
    out = distributed_crawl(server, redis_url, db, workers=1, kill_at=moments)
    assert "from 1 worker run(s) and 3 worker(s) that died" in out
    assert same_dataset(db, first_crawl["db"]) == []
    [run] = run_rows(db)
    stats = json.loads(run["stats"])
    assert stats["nianbao/leases_requeued"] >= len(moments)     # what each killed worker held was done by another
    assert stats["nianbao/workers_lost"] == len(moments)
