"""A real `scrapy crawl reports` against the demo portals served on 127.0.0.1."""
import json
import re
from urllib.parse import urlsplit

import pytest
import sqlite_utils

from tests.conftest import crawl
from tests.fixtures import ROOT, expected_found, renders

# the JavaScript-only portal's reports are found where the system Chromium renders its list
RENDERS = renders()
FOUND = expected_found()


def host_path(url):
    parts = urlsplit(url)
    return parts.hostname, parts.path


def reports(db):
    return {(r["agency"], r["year"]): r for r in sqlite_utils.Database(db).query("SELECT * FROM reports")}


def test_finds_exactly_the_expected_reports(first_crawl):
    found = reports(first_crawl["db"])
    assert set(found) == {(e["agency"], e["year"]) for e in FOUND}


def test_each_report_has_the_flags_it_deserves_and_its_best_source(first_crawl):
    db = sqlite_utils.Database(first_crawl["db"])
    found = reports(first_crawl["db"])
    for e in FOUND:
        report = found[(e["agency"], e["year"])]
        codes = sorted(f["code"] for f in db.query("SELECT code FROM flags WHERE report_id = ? AND scope = 'report'", [report["id"]]))
        assert codes == e["flags"], e
        assert host_path(report["best_url"]) == host_path(e["url"]), e


def test_duplicates_are_merged_and_every_source_kept(first_crawl):
    db = sqlite_utils.Database(first_crawl["db"])
    bureau = reports(first_crawl["db"])[("临江市生态环境局", 2022)]
    urls = {host_path(r["url"])[1] for r in db.query("SELECT url FROM sources WHERE report_id = ?", [bureau["id"]])}
    assert urls == {"/zwgk/ndbg/2023/0215/art_9.html", "/xxgk/gkbg/art_9.html"}
    assert bureau["versions"] == 2
    split = reports(first_crawl["db"])[("新洲区科经局", 2022)]
    parts = list(db.query("SELECT part, size, sha256 FROM sources WHERE report_id = ? ORDER BY part", [split["id"]]))
    assert [p["part"] for p in parts] == [0, 1] and all(p["size"] > 1000 for p in parts)


def test_robots_domains_and_focus_held(first_crawl):
    requested = [(host, path) for host, path, _ in first_crawl["requests"]]
    assert not [p for _, p in requested if p.startswith("/xxgk/private/")]
    assert {h for h, _ in requested} <= {"www.qingyang.gov.test", "xxgk.qingyang.gov.test", "www.panshan.gov.test",
                                         "www.xinzhou.gov.test", "www.lyyingzhou.mirror.test", "www.linjiang.gov.test",
                                         "www.dongpo.gov.test", "www.baishui.gov.test", "www.songhu.gov.test",
                                         "www.yunxi.gov.test", "www.shimen.gov.test"}
    assert not [p for h, p in requested if p.startswith("/news/") and h == "www.qingyang.gov.test" and p != "/news/index.html"]
    assert ("www.qingyang.gov.test", "/robots.txt") in requested


def test_summary_reports_pages_per_report(first_crawl):
    out = first_crawl["stdout"]
    assert re.search(rf"reports found\s+{len(FOUND)} agency-years", out)
    pages = int(re.search(r"pages fetched\s+(\d+)", out).group(1))
    ratio = float(re.search(r"pages per report\s+([\d.]+)", out).group(1))
    assert ratio == pytest.approx(pages / len(FOUND), abs=0.05)
    assert ratio < 4
    assert re.search(r"errors by kind\s+http_404 1, http_500 1, robots_disallowed 1", out)


def test_table_pictures_are_fetched_with_their_page_stored_and_read(first_crawl):
    db = sqlite_utils.Database(first_crawl["db"])
    report = reports(first_crawl["db"])[("石门县人民政府", 2021)]
    parts = list(db.query("SELECT part, kind, url FROM sources WHERE report_id = ? ORDER BY part", [report["id"]]))
    assert [(p["part"], p["kind"], host_path(p["url"])[1].rsplit("/", 1)[1]) for p in parts] == [
        (0, "page", "art_1.html"), (1, "image", "table2.jpg"), (2, "image", "table3.jpg"), (3, "image", "table4.png")]
    cells = {(c["table"], c["row"], c["column"]): c["value"] for c in db.query("SELECT * FROM cells WHERE report_id = ?", [report["id"]])}
    truth = json.loads((ROOT / "demo" / "ocr_truth.json").read_text(encoding="utf-8"))["images"]
    assert cells[("applications", "new_received", "total")] == truth["applications"]["new_received"]["total"]
    assert re.search(r"OCR\s+6 scanned pages or table pictures in [\d.]+ s", first_crawl["stdout"])
    assert re.search(r"requests by kind\s+.*\bimage 3\b", first_crawl["stdout"])


def test_second_crawl_adds_no_reports(server, first_crawl):
    db_path = first_crawl["db"]
    before = {k: r["id"] for k, r in reports(db_path).items()}
    sources_before = sqlite_utils.Database(db_path)["sources"].count
    crawl(server, db_path)
    db = sqlite_utils.Database(db_path)
    assert {k: r["id"] for k, r in reports(db_path).items()} == before
    assert db["sources"].count == sources_before
    assert db["crawl_runs"].count == 2


def test_page_budget_per_portal(server, tmp_path):
    start = len(server.requests)
    crawl(server, tmp_path / "budget.db", "-a", "max_pages=3")
    per_host = {}
    for host, path, _ in server.requests[start:]:
        if path != "/robots.txt":
            domain = host.split(".", 1)[1] if host.startswith(("www.", "xxgk.")) else host
            per_host[domain] = per_host.get(domain, 0) + 1
    assert per_host and max(per_host.values()) <= 3


def test_every_canned_query_runs_on_the_demo_database(first_crawl):
    """The SQL of each canned query, run directly (no browser needed)."""
    queries = json.loads((ROOT / "crawler" / "datasette.json").read_text(encoding="utf-8"))["databases"]["reports"]["queries"]
    db = sqlite_utils.Database(first_crawl["db"])
    run = lambda name, **params: list(db.query(queries[name]["sql"], params))
    late = run("late_reports")
    assert {(r["agency"], r["year"]) for r in late} == {("临江市生态环境局", 2022), ("东坡区人民政府", 2020)}
    assert [r["year"] for r in run("agency_over_years", agency="青阳县人民政府")] == [2019, 2020, 2021, 2022]
    ranked = run("agencies_by_applications", year="")
    assert len(ranked) == len(FOUND) and ranked[0]["applications_received"] >= ranked[-1]["applications_received"]
    assert {r["year"] for r in run("agencies_by_applications", year="2021")} == {2021}
    # the demo's reports continue one another from year to year: no dataset check fails
    assert {r["code"] for r in run("failing_checks", show_dismissed="")} == {"balance_mismatch", "handled_total_mismatch",
                                                                             "conflicting_versions"}


def test_list_command_filters_the_stored_reports(first_crawl):
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-m", "crawler", "list", "--db", str(first_crawl["db"]), "--flag", "spam_injection"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    lines = done.stdout.strip().splitlines()
    assert done.returncode == 0 and len(lines) == 2
    assert lines[1].startswith("瀛洲街道办事处") and "2020" in lines[1] and lines[1].endswith("spam_injection")
