"""Run monitors: the pure checks, and a real re-crawl whose status fails with the reasons stored."""
import json
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import sqlite_utils

from crawler.demo import crawl_command, portals_for_port
from crawler.monitor import errors_by_kind, parse_months, passed, portals_silent, season_silent
from tests.conftest import FAST
from tests.fixtures import ROOT


def test_portal_that_gave_reports_before_and_none_now_fails():
    result = portals_silent({"青阳县人民政府": 4, "盘山县人民政府": 2}, {"青阳县人民政府": 4})
    assert not result["ok"] and "盘山县人民政府 (2 before)" in result["reason"] and "青阳" not in result["reason"]
    assert portals_silent({"青阳县人民政府": 4}, {"青阳县人民政府": 1})["ok"]
    assert portals_silent({}, {})["ok"]          # a first crawl has nothing to compare with


def test_errors_over_their_threshold_fail():
    assert errors_by_kind({"http_404": 3, "timeout": 9}, {"timeout": 10, "*": 5})["ok"]
    result = errors_by_kind({"http_404": 6, "timeout": 9}, {"timeout": 5, "*": 5})
    assert not result["ok"] and result["reason"] == "too many errors: http_404 6 (max 5), timeout 9 (max 5)"


def test_no_new_report_in_the_publishing_season_fails():
    season = parse_months("1-3")
    assert season == {1, 2, 3} and parse_months("1,2,12") == {1, 2, 12}
    assert not season_silent(0, date(2027, 2, 10), season)["ok"]
    assert season_silent(1, date(2027, 2, 10), season)["ok"]
    assert season_silent(0, date(2027, 7, 10), season)["ok"]
    assert passed([{"ok": True}]) and not passed([{"ok": True}, {"ok": False}])


def test_a_failing_run_says_why_and_is_stored_failed(server, first_crawl, tmp_path):
    db = tmp_path / "reports.db"
    with sqlite3.connect(first_crawl["db"]) as source, sqlite3.connect(db) as copy:
        source.backup(copy)
    # 盘山县's portal has moved away: its start page is now a 404
    portals = portals_for_port(server.server_port, tmp_path / "portals.csv")
    text = portals.read_text(encoding="utf-8")
    portals.write_text(text.replace(f"www.panshan.gov.test:{server.server_port}/", f"www.panshan.gov.test:{server.server_port}/gone/"),
                       encoding="utf-8")
    command = crawl_command(Path(portals), str(db), *FAST, "-s", "MONITOR_TODAY=2027-02-10",
                            "-s", 'MONITOR_MAX_ERRORS={"http_404": 0, "*": 50}')
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "failed" in done.stdout
    assert "monitor portals_silent FAILED: 1 portal(s) gave reports before and none now: 盘山县人民政府 (2 before)" in done.stdout
    assert "monitor errors_by_kind FAILED: too many errors: http_404 1 (max 0)" in done.stdout
    assert "monitor season_silent FAILED: no new report in the publishing season" in done.stdout
    run = list(sqlite_utils.Database(db).query("SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1"))[0]
    assert run["status"] == "failed"
    assert {m["monitor"]: m["ok"] for m in json.loads(run["monitor"])} == {
        "portals_silent": False, "errors_by_kind": False, "season_silent": False}
    listed = subprocess.run([sys.executable, "-m", "crawler", "runs", "--db", str(db)], cwd=ROOT, capture_output=True,
                            text=True, timeout=60).stdout
    assert "1 portal(s) gave reports before and none now" in listed.splitlines()[1]
