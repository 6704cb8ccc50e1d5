"""Incremental re-crawls on the demo portals served on loopback: a second crawl right after the
first re-checks lists conditionally and downloads (almost) nothing; a report added between two
crawls is the one thing the second crawl stores."""
import json
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime

import pytest
import sqlite_utils

from crawler.exc import ConfigError
from crawler.incremental import ATTACHMENT, FAILED, NAV, REPORT, Known, parse_max_age, parse_refresh, plan
from tests.conftest import crawl
from tests.fixtures import ROOT, expected_found


def snapshot(db_path):
    db = sqlite_utils.Database(db_path)
    reports = {(r["agency"], r["year"]): (r["id"], r["best_url"], r["flag_codes"]) for r in db.query("SELECT * FROM reports")}
    cells = sorted(tuple(r.values()) for r in db.query('SELECT report_id, "table", row, "column", value FROM cells'))
    return reports, cells, db["sources"].count


# ---------------------------------------------------------------- the decision, as a pure function

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def test_plan_per_url():
    nav = Known("u", kind=NAV, links=[["a", "", ""]], fetched_at="2026-02-27T00:00:00+00:00", run_id=1)
    assert plan(None) == "fetch"
    assert plan(Known("u", stored=True, fetched_at="2026-02-27T00:00:00+00:00"), now=NOW) == "skip"
    assert plan(Known("u", stored=True, fetched_at="2026-02-27T00:00:00+00:00"), max_age_days=1, now=NOW) == "check"
    assert plan(Known("u", stored=True), refresh_all=True) == "fetch"
    assert plan(nav, now=NOW) == "replay"
    assert plan(nav, start=True, now=NOW) == "check"
    assert plan(Known("u", kind=NAV, feed=True, fetched_at=nav.fetched_at), now=NOW) == "check"
    assert plan(nav, max_age_days=1, now=NOW) == "check"
    assert plan(nav, start=True, run_id=1, now=NOW) == "replay"       # visited earlier in this (resumed) run
    assert plan(Known("u", kind=NAV, listing=True, fetched_at=nav.fetched_at), now=NOW) == "fetch"   # a platform's list page
    assert plan(Known("u", kind=FAILED, status=404, fetched_at=nav.fetched_at), now=NOW) == "skip"
    assert plan(Known("u", kind=FAILED, status=500, fetched_at=nav.fetched_at), now=NOW) == "fetch"
    # a candidate recorded but never stored (killed before the writer got it) is looked at again
    assert plan(Known("u", kind=REPORT, fetched_at=nav.fetched_at), now=NOW) == "check"
    assert plan(Known("u", kind=ATTACHMENT, fetched_at=nav.fetched_at), now=NOW) == "check"


def test_arguments_are_checked():
    assert parse_max_age("30") == 30 and parse_max_age("30d") == 30 and parse_max_age("12h") == 0.5
    assert parse_max_age(None) is None
    assert parse_refresh("all") is True and parse_refresh(None) is False
    with pytest.raises(ConfigError):
        parse_max_age("soon")
    with pytest.raises(ConfigError):
        parse_refresh("everything")


# ---------------------------------------------------------------- real crawls

@pytest.fixture(scope="module")
def sites_server(tmp_path_factory):
    """The demo portals from a copy of demo/sites that a test may change."""
    from crawler.demo import free_port
    from demo.server import SITES, DemoServer
    sites = tmp_path_factory.mktemp("sites") / "sites"
    shutil.copytree(SITES, sites)
    srv = DemoServer(free_port(0), sites=sites).start_background()
    yield srv
    srv.shutdown()
    srv.server_close()


def requests_of(server, start):
    return [(h, p) for h, p, _ in server.requests[start:]]


@pytest.fixture(scope="module")
def two_crawls(sites_server, tmp_path_factory):
    db = tmp_path_factory.mktemp("incremental") / "reports.db"
    start = len(sites_server.requests)
    crawl(sites_server, db)
    first = requests_of(sites_server, start)
    before = snapshot(db)
    start = len(sites_server.requests)
    out = crawl(sites_server, db)
    return {"db": db, "first": first, "second": requests_of(sites_server, start), "before": before, "out": out}


def test_second_crawl_makes_a_quarter_of_the_requests_and_stores_nothing_new(sites_server, two_crawls):
    db, first, second, before = two_crawls["db"], two_crawls["first"], two_crawls["second"], two_crawls["before"]
    # the first crawl fetches little beyond the reports themselves, the second the start pages and lists
    assert len(second) <= len(first) / 4, second
    assert snapshot(db) == before
    # no report page or attachment was downloaded again, no robots.txt asked for again
    assert not [p for _, p in second if re.search(r"/(art_\d+|t\d{8}_\d+(_\d)?|a1|qzf20\d\d(_xg)?|sfj2020)\.(html|pdf|docx)$", p)]
    assert not [p for _, p in second if p == "/robots.txt"]
    assert re.search(r"new since the last run .*: 0 new report\(s\); 0 changed", two_crawls["out"])
    runs = list(sqlite_utils.Database(db).query("SELECT * FROM crawl_runs ORDER BY id"))
    assert [r["status"] for r in runs] == ["finished", "finished"]
    stats = json.loads(runs[1]["stats"])
    # known reports are skipped; the later parts of platform lists (a data proxy, an API's page 2) that start
    # with a report stored before are not asked for: their reports are older still
    assert stats["nianbao/not_modified"] >= 10 and stats["nianbao/list_parts_not_walked"] >= 2
    assert stats["nianbao/skipped_known"] + 14 >= len(expected_found())
    assert len(json.loads(runs[0]["new_reports"])) == len(expected_found()) and json.loads(runs[1]["new_reports"]) == []


def test_runs_command_lists_the_runs(two_crawls):
    done = subprocess.run([sys.executable, "-m", "crawler", "runs", "--db", str(two_crawls["db"])], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[0].split()[:3] == ["run", "started", "status"]
    second, first = lines[1].split(), lines[2].split()
    assert second[0] == "2" and first[0] == "1"
    assert int(first[4]) > 3 * int(second[4])          # requests
    assert first[6] == str(len(expected_found())) and second[6] == "0"       # new reports


def test_refresh_all_downloads_everything_again(sites_server, tmp_path):
    db = tmp_path / "reports.db"
    start = len(sites_server.requests)
    crawl(sites_server, db)
    first = requests_of(sites_server, start)
    before = snapshot(db)
    # refresh=all downloads everything again, and still stores nothing new
    start = len(sites_server.requests)
    crawl(sites_server, db, "-a", "refresh=all")
    again = requests_of(sites_server, start)
    assert sorted(again) == sorted(first)
    assert snapshot(db)[0] == before[0]


def test_a_report_added_between_two_crawls_is_the_one_stored(sites_server, tmp_path):
    db = tmp_path / "reports.db"
    crawl(sites_server, db)
    reports_before, cells_before, _ = snapshot(db)
    # 青阳县 publishes its 2023 report: a new page, linked at the top of the (newest first) list
    ndbg = sites_server.sites / "www.qingyang.gov.test" / "xxgk" / "ndbg"
    page = (ndbg / "2022" / "art_4.html").read_text(encoding="utf-8")
    assert "2022年政府信息公开工作年度报告" in page
    (ndbg / "2023").mkdir()
    (ndbg / "2023" / "art_8.html").write_text(page.replace("2023-", "2024-").replace("2022", "2023"), encoding="utf-8")
    listing = (ndbg / "index.html").read_text(encoding="utf-8")
    entries = listing.index('<ul class="list">') + len('<ul class="list">')
    (ndbg / "index.html").write_text(
        listing[:entries] + '<li><a href="/xxgk/ndbg/2023/art_8.html">青阳县人民政府2023年政府信息公开工作年度报告</a></li>'
        + listing[entries:], encoding="utf-8")
    try:
        start = len(sites_server.requests)
        out = crawl(sites_server, db)
        second = requests_of(sites_server, start)
    finally:
        shutil.rmtree(ndbg / "2023")
        (ndbg / "index.html").write_text(listing, encoding="utf-8")
    reports_after, cells_after, _ = snapshot(db)
    assert set(reports_after) - set(reports_before) == {("青阳县人民政府", 2023)}
    assert {k: v for k, v in reports_after.items() if k in reports_before} == reports_before
    assert [c for c in cells_after if c[0] in {v[0] for v in reports_before.values()}] == cells_before
    assert ("www.qingyang.gov.test", "/xxgk/ndbg/2023/art_8.html") in second
    # the list changed but its first page still holds known entries: its later pages are not fetched
    assert not [p for _, p in second if re.search(r"index_\d\.html", p)]
    assert "1 new report(s): 青阳县人民政府 2023" in out

