"""The Excel export: a sheet per table with Chinese headers and one row per report, every cell checked."""
import pytest
from openpyxl import load_workbook

from crawler import datasetstore, store
from crawler.cli import main
from crawler.review import set_review
from crawler.schema import APPLICANT_LABELS, APPLICATION_ROW_SHORT_LABELS, MEASURE_LABELS
from crawler.xlsx import IDENTITY_COLUMNS, REPORT_COLUMNS, SHEET_FLAGS, SHEET_KEYS, SHEET_REPORTS, TABLE_SHEETS
from tests.demo_reports import report, store_report


@pytest.fixture
def db(tmp_path):
    db = store.open_db(tmp_path / "reports.db")
    store_report(db, report("青阳县教育局", 2020, 20, forward=2, licensing=40), "http://www.qingyang.gov.test/jyj/2020.html")
    store_report(db, report("青阳县教育局", 2021, 24, carried=2, licensing=4000), "http://www.qingyang.gov.test/jyj/2021.html")
    made = report("青阳县卫生健康委员会", 2021, 6)
    made["appeals"] = {}                                                     # no table 四
    store_report(db, made, "http://www.qingyang.gov.test/wjw/2021.html")
    datasetstore.refresh(db)
    set_review(db, next(db.query("SELECT id FROM flags WHERE code = 'yoy_outlier'"))["id"], "confirmed", "核实无误")
    return db


def test_every_cell_of_the_workbook(db, tmp_path):
    path = tmp_path / "xlsx" / "reports.xlsx"
    assert main(["export", "--db", db.conn.execute("PRAGMA database_list").fetchone()[2], "--format", "xlsx",
                 "--out", str(path.parent)]) == 0
    book = load_workbook(path)
    assert book.sheetnames == [*TABLE_SHEETS, SHEET_REPORTS, SHEET_FLAGS, SHEET_KEYS]
    reports = {r["id"]: r for r in db.query("SELECT r.*, s.fetched_at FROM reports r JOIN sources s ON s.id = r.best_source_id")}
    cells = {(c["report_id"], c["table"], c["row"], c["column"]): c["value"] for c in db.query("SELECT * FROM cells")}

    for title, columns in TABLE_SHEETS.items():
        rows = list(book[title].iter_rows(values_only=True))
        assert list(rows[0]) == [label for _, label in IDENTITY_COLUMNS] + [label for _, label in columns]
        table = columns[0][0][0]
        with_table = {rid for rid, t, *_ in cells if t == table}
        assert sorted(r[0] for r in rows[1:]) == sorted(with_table)
        for row in rows[1:]:
            stored = reports[row[0]]
            assert row[1:4] == (stored["agency"], stored["year"], stored["template"])
            for (key, _), value in zip(columns, row[4:], strict=True):
                assert value == cells.get((row[0], *key)), (title, row[0], key)
    # the template's own words as headers
    assert "规章·本年新制作数量" in book["二 主动公开"][1][4].value
    assert [c.value for c in book["二 主动公开"][1]].count(f"行政许可·{MEASURE_LABELS['2019']['decisions']}") == 1
    assert book["三 依申请公开"][1][4].value == f"{APPLICATION_ROW_SHORT_LABELS['new_received']}·{APPLICANT_LABELS['natural_person']}"
    assert isinstance(book["三 依申请公开"][2][4].value, int)              # counts are integers, not 20.0

    rows = list(book[SHEET_REPORTS].iter_rows(values_only=True))
    assert list(rows[0]) == [label for _, label in REPORT_COLUMNS]
    assert len(rows) == 1 + len(reports)
    for row in rows[1:]:
        assert list(row) == [reports[row[0]][key] for key, _ in REPORT_COLUMNS]

    rows = list(book[SHEET_FLAGS].iter_rows(values_only=True))
    assert rows[0] == ("报告编号", "机关", "年度", "问题代码", "范围", "对象", "说明", "审核状态", "审核备注")
    flags = sorted((f["report_id"], f["code"], f["scope"], f["detail"]) for f in db.query("SELECT * FROM flags"))
    assert sorted((r[0], r[3], r[4], r[6]) for r in rows[1:]) == flags
    assert ("yoy_outlier", "confirmed", "核实无误") in {(r[3], r[7], r[8]) for r in rows[1:]}
