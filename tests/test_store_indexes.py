"""The store at national scale: lookups use the indexes that fit them, the summary table of
table 三 stays in step with the cells, and databases of an older layout are brought up to date."""
import json
import sqlite3

import pytest

from crawler import store
from crawler.items import ReportItem
from crawler.jobs import parse_item, reparse
from crawler.schema import ParseOutcome
from tests.fixtures import HTML, ROOT

PORTAL = {"agency": "青阳县人民政府", "region_code": "341723", "level": "county"}


def item(url, body):
    return ReportItem(url=url, body=body, headers={}, content_type="text/html", fetched_at="2026-11-01T00:00:00+00:00", portal=PORTAL)


def save(db, url, body):
    it = item(url, body)
    return store.store_fetch(db, it, parse_item(it))


@pytest.fixture
def db(tmp_path):
    return store.open_db(tmp_path / "reports.db")


def plan(db, sql, params=()):
    return " ".join(row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall())


def wide(db, report_id):
    return {r["row"]: (r["natural_person"], r["total"])
            for r in db.query("SELECT * FROM applications_wide WHERE report_id = ?", [report_id])}


def test_merge_looks_sources_up_by_report_key_not_by_parse_status(db):
    save(db, "http://www.qingyang.gov.test/a.html", (HTML / "county_2020_rowspan.html").read_bytes())
    store.optimize(db)
    used = plan(db, "SELECT id, url, fetched_at, portal, parsed FROM sources WHERE report_key = ? AND parse_status = 'report' ORDER BY id",
                ["青阳县人民政府|2020"])
    assert "report_key=? AND parse_status=?" in used, used


def test_canned_queries_reach_cells_by_report_not_by_scanning_them(db):
    save(db, "http://www.qingyang.gov.test/a.html", (HTML / "county_2020_rowspan.html").read_bytes())
    store.optimize(db)
    queries = json.loads((ROOT / "crawler" / "datasette.json").read_text(encoding="utf-8"))["databases"]["reports"]["queries"]
    used = plan(db, queries["agencies_by_applications"]["sql"], {"year": ""})
    assert "SCAN c" not in used and "PRIMARY KEY" in used, used
    # one agency's series is read from its summary table, never regrouped from the cells
    used = plan(db, queries["agency_over_years"]["sql"], {"agency": "青阳"})
    assert "agency_series" in used and "cells" not in used and " c " not in f"{used} ", used
    rows = list(db.query(queries["agency_over_years"]["sql"], {"agency": "青阳"}))
    assert [(r["agency"], r["year"], r["new_received"]) for r in rows] == [("青阳县人民政府", 2020, 46)]


def test_the_summary_table_follows_every_merge_and_deletion(db):
    original = (HTML / "county_2020_rowspan.html").read_bytes()
    first = save(db, "http://www.qingyang.gov.test/a.html", original)
    assert wide(db, first["report_id"])["new_received"] == (45, 46)
    assert (db["applications_wide"].count, db["cells"].count) > (10, 100)
    # the page is re-parsed into nothing (say the parser now rejects it): its report goes, rows and all
    reparse(db, parse=lambda *args, **kwargs: ParseOutcome("not_a_report", reason="test"))
    assert (db["reports"].count, db["applications_wide"].count, db["cells"].count) == (0, 0, 0)


def test_a_database_with_the_old_view_gets_the_summary_table_filled(tmp_path):
    path = tmp_path / "old.db"
    db = store.open_db(path)
    result = save(db, "http://www.qingyang.gov.test/a.html", (HTML / "county_2020_rowspan.html").read_bytes())
    expected = wide(db, result["report_id"])
    # the layout before: applications_wide a view, an index on the cell keys, no statistics
    db.execute("DROP TABLE applications_wide")
    db.execute("CREATE VIEW applications_wide AS SELECT report_id FROM cells")
    db.execute("CREATE INDEX idx_cells_table_row_column ON cells (\"table\", row, \"column\")")
    db.execute("DROP TABLE IF EXISTS sqlite_stat1")
    db.conn.commit()
    db.close()
    db = store.open_db(path)
    assert "applications_wide" in db.table_names() and "applications_wide" not in db.view_names()
    assert wide(db, result["report_id"]) == expected
    assert "idx_cells_table_row_column" not in [i.name for i in db["cells"].indexes]
    assert "sqlite_stat1" in db.table_names()


def test_writes_are_durable_in_wal_without_a_sync_per_item(tmp_path):
    db = store.open_db(tmp_path / "reports.db")
    assert db.journal_mode == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 1        # NORMAL: safe with WAL
    save(db, "http://www.qingyang.gov.test/a.html", (HTML / "county_2020_rowspan.html").read_bytes())
    db.close()
    # another connection (datasette, the CLI) sees the committed item
    assert sqlite3.connect(tmp_path / "reports.db").execute("SELECT count(*) FROM reports").fetchone()[0] == 1
