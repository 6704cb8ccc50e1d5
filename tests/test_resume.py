"""Resume after a crash: a crawl with a job directory, SIGKILLed at several moments and started
again, ends with the same database as a crawl that was never interrupted."""
import os
import re
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import sqlite_utils

from crawler.demo import crawl_command, portals_for_port
from tests.conftest import FAST, crawl
from tests.fixtures import ROOT


def dataset(db_path):
    """Everything a user reads, keyed so that row ids and crawl order do not matter."""
    db = sqlite_utils.Database(db_path)
    reports = {}
    for r in db.query("SELECT * FROM reports"):
        cells = sorted((c["table"], c["row"], c["column"], c["value"])
                       for c in db.query('SELECT "table", row, "column", value FROM cells WHERE report_id = ?', [r["id"]]))
        # dataset checks name the other report by its row id, which follows the order reports were stored
        flags = sorted((f["code"], re.sub(r"\(report \d+\)", "(report)", f["detail"]))
                       for f in db.query("SELECT code, detail FROM flags WHERE report_id = ?", [r["id"]]))
        reports[(r["agency"], r["year"])] = (r["best_url"], r["versions"], cells, flags)
    sources = sorted((s["url"], s["part"], s["sha256"], s["parse_status"]) for s in db.query("SELECT * FROM sources"))
    return reports, sources


def start_crawl(server, db, jobdir):
    portals = portals_for_port(server.server_port, Path(db).parent / "portals.csv")
    command = crawl_command(portals, str(db), *FAST, "-s", f"JOBDIR={jobdir}")
    # its own process group, so SIGKILL takes the parser worker processes with it
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def kill_after(server, process, requests: int, timeout: float = 60) -> bool:
    """SIGKILL the crawl once the portals have answered `requests` more requests; False if it ended first."""
    start, deadline = len(server.requests), time.monotonic() + timeout
    while len(server.requests) - start < requests:
        if process.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return True


def test_a_crawl_killed_at_several_moments_finishes_the_work(server, first_crawl, tmp_path):
    whole = first_crawl["db"]          # the same portals crawled without interruption

    db, jobdir = tmp_path / "killed" / "reports.db", tmp_path / "killed" / "job"
    db.parent.mkdir()
    kills, out = 0, ""
    for moment in (3, 12, 25, 9):          # requests answered before each kill: early, mid-list, among the reports
        process = start_crawl(server, db, jobdir)
        if not kill_after(server, process, moment):
            out = process.communicate()[0]
            break
        kills += 1
        assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert kills >= 3
    out = out or crawl(server, db, "-s", f"JOBDIR={jobdir}")
    assert "(resumed)" in out

    assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert dataset(db) == dataset(whole)
    runs = list(sqlite_utils.Database(db).query("SELECT * FROM crawl_runs"))
    assert len(runs) == 1 and runs[0]["status"] == "finished" and runs[0]["resumes"] == kills
    # a new crawl with the same job directory after a finished one is a new run
    crawl(server, db, "-s", f"JOBDIR={jobdir}")
    assert [r["id"] for r in sqlite_utils.Database(db).query("SELECT id FROM crawl_runs")] == [1, 2]
