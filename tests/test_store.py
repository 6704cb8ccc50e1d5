"""The SQLite store: dedupe by agency-year, conflicting versions, transactions, reparse, export."""
import csv
import json

import pytest

from crawler import store
from crawler.export import export
from crawler.items import ReportItem
from crawler.jobs import parse_item, reparse
from crawler.schema import ParseOutcome
from tests.fixtures import HTML

PORTAL = {"agency": "青阳县人民政府", "region_code": "341723", "level": "county", "start_url": "http://www.qingyang.gov.test/"}


def item(name, url, body=None, fetched_at="2026-11-01T00:00:00+00:00"):
    return ReportItem(url=url, body=body if body is not None else (HTML / name).read_bytes(), headers={"Content-Type": "text/html"},
                      content_type="text/html", fetched_at=fetched_at, portal=PORTAL)


def save(db, it):
    return store.store_fetch(db, it, parse_item(it))


@pytest.fixture
def db(tmp_path):
    return store.open_db(tmp_path / "reports.db")


def flags_of(db, report_id):
    return sorted((f["code"], f["detail"]) for f in db.query("SELECT code, detail FROM flags WHERE report_id = ?", [report_id]))


def test_one_report_stored_long_and_wide(db):
    result = save(db, item("county_2020_rowspan.html", "http://www.qingyang.gov.test/a.html"))
    assert result["status"] == "report" and result["new_report"]
    report = db["reports"].get(result["report_id"])
    assert (report["agency"], report["year"], report["region_code"], report["flag_count"]) == ("青阳县人民政府", 2020, "341723", 0)
    value = next(db.query("SELECT value FROM cells WHERE report_id = ? AND \"table\" = 'applications' AND row = 'new_received' "
                          "AND \"column\" = 'natural_person'", [report["id"]]))["value"]
    assert value == 45
    wide = next(db.query("SELECT * FROM applications_wide WHERE report_id = ? AND row = 'new_received'", [report["id"]]))
    assert (wide["natural_person"], wide["commercial"], wide["total"]) == (45, 1, 46)
    assert db.journal_mode == "wal"
    source = db["sources"].get(report["best_source_id"])
    assert store.source_body(source) == (HTML / "county_2020_rowspan.html").read_bytes()


def test_same_report_under_two_urls_is_one_report(db):
    a = save(db, item("county_2020_rowspan.html", "http://www.qingyang.gov.test/a.html"))
    b = save(db, item("county_2020_rowspan.html", "http://www.qingyang.gov.test/b.html"))
    assert a["report_id"] == b["report_id"] and not b["new_report"]
    assert db["reports"].count == 1
    assert db["reports"].get(a["report_id"])["versions"] == 2
    assert {r["url"] for r in db.query("SELECT url FROM sources WHERE report_id = ?", [a["report_id"]])} == {
        "http://www.qingyang.gov.test/a.html", "http://www.qingyang.gov.test/b.html"}
    assert flags_of(db, a["report_id"]) == []


def test_refetching_the_same_bytes_adds_nothing(db):
    save(db, item("county_2020_rowspan.html", "http://www.qingyang.gov.test/a.html"))
    save(db, item("county_2020_rowspan.html", "http://www.qingyang.gov.test/a.html", fetched_at="2026-12-01T00:00:00+00:00"))
    assert (db["reports"].count, db["sources"].count) == (1, 1)
    assert next(db.query("SELECT last_seen FROM sources"))["last_seen"] == "2026-12-01T00:00:00+00:00"


def test_conflicting_versions_are_kept_and_flagged(db):
    original = (HTML / "county_2020_rowspan.html").read_bytes()
    # a re-issue a month later in which one figure changed
    corrected = original.replace(b"<td>30</td>", b"<td>31</td>", 1).replace(b"2021-01-28", b"2021-02-20")
    assert corrected != original
    first = save(db, item(None, "http://www.qingyang.gov.test/a.html", original))
    second = save(db, item(None, "http://www.qingyang.gov.test/a_xg.html", corrected))
    assert first["report_id"] == second["report_id"]
    report = db["reports"].get(first["report_id"])
    codes = [c for c, _ in flags_of(db, report["id"])]
    assert "conflicting_versions" in codes
    detail = dict(flags_of(db, report["id"]))["conflicting_versions"]
    assert "applications.granted.natural_person" in detail
    # the corrected version has a row_total error, so the original, with fewer 勾稽 flags, is shown
    assert report["best_url"] == "http://www.qingyang.gov.test/a.html"
    assert report["versions"] == 2


def test_equal_quality_versions_prefer_the_latest_publication(db):
    original = (HTML / "county_2020_rowspan.html").read_bytes()
    reissued = original.replace(b"2021-01-28", b"2021-01-30")
    save(db, item(None, "http://www.qingyang.gov.test/a.html", original))
    result = save(db, item(None, "http://www.qingyang.gov.test/a2.html", reissued))
    report = db["reports"].get(result["report_id"])
    assert (report["best_url"], report["published"]) == ("http://www.qingyang.gov.test/a2.html", "2021-01-30")
    assert flags_of(db, report["id"]) == []


def test_failed_write_leaves_nothing_half_stored(db):
    it = item("county_2020_rowspan.html", "http://www.qingyang.gov.test/a.html")
    outcome = parse_item(it)
    outcome.report["applications"]["granted"]["natural_person"] = object()   # cannot be written: the write fails mid-way
    with pytest.raises(TypeError):   # the parsed JSON cannot be written
        store.store_fetch(db, it, ParseOutcome("report", outcome.report))
    assert (db["sources"].count, db["reports"].count, db["cells"].count, db["flags"].count) == (0, 0, 0, 0)


def test_pages_that_are_not_reports_are_kept_with_the_reason(db):
    result = save(db, item("news_not_report.html", "http://www.qingyang.gov.test/news.html"))
    assert result["status"] == "not_a_report"
    row = next(db.query("SELECT parse_status, parse_error, size FROM sources"))
    assert row["parse_status"] == "not_a_report" and "no 政府信息公开工作年度报告" in row["parse_error"] and row["size"] > 0
    assert db["reports"].count == 0


def test_reparse_rebuilds_from_raw_bytes(db):
    result = save(db, item("county_2020_rowspan.html", "http://www.qingyang.gov.test/a.html"))
    db.execute("UPDATE cells SET value = 999 WHERE report_id = ?", [result["report_id"]])
    db.execute("DELETE FROM flags")
    db.execute("UPDATE sources SET parsed = NULL, parse_status = 'pending'")
    db.conn.commit()
    counts = reparse(db)
    assert counts == {"report": 1, "reports": 1}
    assert next(db.query("SELECT max(value) AS m FROM cells WHERE \"table\" = 'applications'"))["m"] == 46
    assert db["reports"].count == 1


def test_export_csv_and_jsonl(db, tmp_path):
    save(db, item("bureau_2021_template.html", "http://www.linjiang.gov.test/a.html"))
    paths = export(db, tmp_path / "csv", "csv")
    assert sorted(p.name for p in paths) == ["cells.csv", "flags.csv", "reports.csv", "sources.csv"]
    with (tmp_path / "csv" / "flags.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert sorted(r["code"] for r in rows) == ["balance_mismatch", "balance_mismatch", "published_late"]
    [jsonl] = export(db, tmp_path / "json", "jsonl")
    [line] = jsonl.read_text(encoding="utf-8").splitlines()
    report = json.loads(line)
    assert (report["agency"], report["year"], report["applications"]["new_received"]["natural_person"]) == ("临江市生态环境局", 2022, 45)
    assert len(report["flags"]) == 3


def test_a_spammed_mirror_copy_loses_to_the_original(db):
    original = (HTML / "county_2020_rowspan.html").read_bytes()
    mirror = original.replace("<h3>相关链接</h3>".encode(), "<h3>相关链接</h3><a href='http://x.test/'>立博官网</a>".encode())
    save(db, item(None, "http://a-mirror.test/a.html", mirror))
    result = save(db, item(None, "http://www.qingyang.gov.test/a.html", original))
    report = db["reports"].get(result["report_id"])
    assert report["best_url"] == "http://www.qingyang.gov.test/a.html"
    assert flags_of(db, report["id"]) == []
