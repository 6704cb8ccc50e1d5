"""Checks across reports, on demo-like reports made to trip each one, stored through the real
parse and store path and recomputed after every crawl and reparse."""
import random

import pytest

from crawler import datasetstore, store
from crawler.dataset import (
    HIERARCHY_FIGURES,
    StoredReport,
    _label,
    hierarchy_checks,
    is_summary,
    is_yoy_outlier,
    region_prefix,
    yoy_flags,
)
from crawler.jobs import reparse
from tests.demo_reports import report, store_report

EDU, HEALTH, SUMMARY = "青阳县教育局", "青阳县卫生健康委员会", "青阳县全县"


@pytest.fixture
def db(tmp_path):
    db = store.open_db(tmp_path / "reports.db")
    # 教育局: 2020 (2019 template) → 2021 (2021 template); carried over as carried forward; 许可 jumps ×100
    store_report(db, report(EDU, 2020, 20, forward=2, licensing=40, normative_documents={"total_public": 10}),
                 "http://www.qingyang.gov.test/jyj/2020.html")
    store_report(db, report(EDU, 2021, 24, carried=2, licensing=4000, normative_documents={"in_force": 900}),
                 "http://www.qingyang.gov.test/jyj/2021.html")
    # 卫健委: applications 6 → 120, and 2022 carries over 3 where 2021 carried forward 1
    store_report(db, report(HEALTH, 2021, 6, forward=1), "http://www.qingyang.gov.test/wjw/2021.html")
    store_report(db, report(HEALTH, 2022, 120, carried=3), "http://www.qingyang.gov.test/wjw/2022.html")
    # the county's summary: 2021 should be 24 + 6 = 30 new applications but says 35 (both bodies found);
    # 2022 says 150 but only 卫健委 (120) of the two bodies is found: coverage, not a mismatch
    store_report(db, report(SUMMARY, 2021, 35, carried=2, forward=3, title="青阳县2021年全县政府信息公开工作年度报告"),
                 "http://www.qingyang.gov.test/qx/2021.html")
    store_report(db, report(SUMMARY, 2022, 150, carried=3, title="青阳县2022年全县政府信息公开工作年度报告"),
                 "http://www.qingyang.gov.test/qx/2022.html")
    datasetstore.refresh(db)
    return db


def dataset_flags(db):
    return sorted((r["agency"], r["year"], r["code"], r["subject"], r["detail"]) for r in db.query(
        "SELECT r.agency, r.year, f.code, f.subject, f.detail FROM flags f JOIN reports r ON r.id = f.report_id "
        "WHERE f.scope = 'dataset'"))


def test_each_check_trips_on_its_report_and_nowhere_else(db):
    found = {(agency, year, code, subject) for agency, year, code, subject, _ in dataset_flags(db)}
    assert found == {
        (EDU, 2021, "yoy_outlier", "active.licensing.decisions"),
        (HEALTH, 2022, "yoy_outlier", "applications.new_received.total"),
        (HEALTH, 2022, "yoy_outlier", "applications.total_handled.total"),
        (HEALTH, 2022, "yoy_outlier", "applications.granted.total"),
        (HEALTH, 2022, "balance_mismatch", "carried_over vs 2021"),
        (SUMMARY, 2021, "hierarchy_mismatch", "covered bodies"),
    }
    # the reports themselves add up: no report-level flag at all
    assert not list(db.query("SELECT * FROM flags WHERE scope = 'report'"))


def test_details_name_both_sides(db):
    details = {(a, y, c, s): d for a, y, c, s, d in dataset_flags(db)}
    carried = details[(HEALTH, 2022, "balance_mismatch", "carried_over vs 2021")]
    assert "carried_over 3 ≠ carried_forward 1" in carried
    assert "http://www.qingyang.gov.test/wjw/2022.html" in carried and "http://www.qingyang.gov.test/wjw/2021.html" in carried
    jump = details[(HEALTH, 2022, "yoy_outlier", "applications.new_received.total")]
    assert jump.startswith("applications.new_received.total: 6 in 2021 → 120 in 2022 (×20.0; threshold ×10 with at least 50)")
    summary = details[(SUMMARY, 2021, "hierarchy_mismatch", "covered bodies")]
    assert "applications.new_received.total: summary 35 vs bodies 30" in summary
    assert "sum over 2 of the 2 bodies of region 341723" in summary


def test_template_change_compares_only_what_both_templates_mean(db):
    """规范性文件 对外公开总数量 (2019) and 现行有效件数 (2021) are different measures: 10 → 900 is not an outlier."""
    subjects = {s for a, y, c, s, _ in dataset_flags(db) if a == EDU}
    assert subjects == {"active.licensing.decisions"}


def test_incomplete_region_is_coverage_not_mismatch(db):
    rows = {(r["year"], r["figure"]): r for r in db.query("SELECT * FROM hierarchy_checks")}
    covered = rows[(2022, "applications.new_received.total")]
    assert (covered["status"], covered["bodies_found"], covered["bodies_known"], covered["summary_value"],
            covered["bodies_sum"]) == ("coverage", 1, 2, 150, 120)
    assert rows[(2021, "applications.new_received.total")]["status"] == "mismatch"
    assert rows[(2021, "applications.carried_over.total")]["status"] == "match"


def test_recomputed_not_duplicated_and_counted_on_the_report(db):
    before = dataset_flags(db)
    datasetstore.refresh(db)
    datasetstore.refresh(db)
    assert dataset_flags(db) == before
    health = next(db.query("SELECT flag_count, flag_codes FROM reports WHERE agency = ? AND year = 2022", [HEALTH]))
    assert (health["flag_count"], health["flag_codes"]) == (4, '["balance_mismatch", "yoy_outlier"]')


def test_reparse_recomputes_and_a_fixed_figure_clears_its_flag(db):
    before = dataset_flags(db)
    counts = reparse(db)
    assert dataset_flags(db) == before
    assert counts["dataset:yoy_outlier"] == 4 and counts["dataset:hierarchy_mismatch"] == 1
    # a corrected re-issue of 卫健委 2022 carrying over the 1 of 2021, with 12 new applications
    store_report(db, report(HEALTH, 2022, 12, carried=1), "http://www.qingyang.gov.test/wjw/2022_xg.html")
    db.execute("DELETE FROM sources WHERE url = 'http://www.qingyang.gov.test/wjw/2022.html'")
    reparse(db)
    assert [f for f in dataset_flags(db) if f[0] == HEALTH] == []


def test_threshold():
    assert is_yoy_outlier(5, 60) and is_yoy_outlier(600, 50) and is_yoy_outlier(0, 50)
    assert not is_yoy_outlier(0, 7) and not is_yoy_outlier(20, 45) and not is_yoy_outlier(6, 59)


def test_only_consecutive_years_are_compared():
    a = StoredReport(1, "x", 2019, cells={("applications", "new_received", "total"): 5})
    b = StoredReport(2, "x", 2021, cells={("applications", "new_received", "total"): 500})
    assert yoy_flags([a, b]) == []


def test_summary_below_the_sum_of_found_bodies_is_a_mismatch_even_when_incomplete():
    key = ("applications", "new_received", "total")
    bodies = [StoredReport(1, "a局", 2021, region_code="341723", cells={key: 40}),
              StoredReport(2, "b局", 2021, region_code="341723", cells={key: 30}),
              StoredReport(3, "c局", 2020, region_code="341723", cells={key: 3})]
    summary = StoredReport(9, "青阳县全县", 2021, title="青阳县2021年全县政府信息公开工作年度报告", region_code="341723", cells={key: 50})
    [check] = hierarchy_checks([*bodies, summary])
    assert (check.status, check.bodies_found, check.bodies_known, check.bodies_sum) == ("mismatch", 2, 3, 70)


def test_region_prefix():
    assert (region_prefix("340000"), region_prefix("341700"), region_prefix("341723"), region_prefix(None)) == ("34", "3417", "341723", None)


def _hierarchy_checks_by_scanning(reports):
    """The checks as first written: every summary against every body (quadratic), the reference."""
    checks = []
    bodies = [r for r in reports if not is_summary(r) and region_prefix(r.region_code)]
    for summary in reports:
        region = region_prefix(summary.region_code)
        if not region or not summary.year or not is_summary(summary):
            continue
        covered = [b for b in bodies if b.region_code.startswith(region) and b.agency_key != summary.agency_key]
        known = {b.agency_key for b in covered}
        found = [b for b in covered if b.year == summary.year]
        if not found:
            continue
        complete = len({b.agency_key for b in found}) == len(known)
        for cell in HIERARCHY_FIGURES:
            value = summary.cells.get(cell)
            parts = [b.cells.get(cell) for b in found]
            total = sum(p for p in parts if p is not None)
            if value is None:
                continue
            status = ("match" if total == value else "mismatch") if complete and None not in parts else \
                ("mismatch" if total > value else "coverage")
            checks.append((summary.id, summary.year, region, len({b.agency_key for b in found}), len(known), value, total, status))
    return checks


def test_hierarchy_checks_read_each_region_alone_and_agree_with_a_full_scan():
    rng = random.Random(7)
    key = ("applications", "new_received", "total")
    codes = ["340000", "341700", "341723", "341702", "341721", "350000", "350100", "350102", "34", "3417230001"]
    reports = []
    for n in range(400):
        code = rng.choice(codes)
        summary = rng.random() < 0.15
        agency = f"{code}全县" if summary else f"{code}-{rng.randrange(6)}局"
        reports.append(StoredReport(n, agency, rng.choice([2020, 2021, 2022]), agency=agency, region_code=code,
                                    title=f"{agency}2021年全县政府信息公开工作年度报告" if summary else None,
                                    cells={key: rng.choice([None, *range(0, 200 if summary else 6)])}))
    # a region whose two bodies add up to its summary
    reports += [StoredReport(900, "a局", 2021, region_code="360102", cells={key: 10}),
                StoredReport(901, "b局", 2021, region_code="360103", cells={key: 20}),
                StoredReport(902, "南昌市全市", 2021, agency="南昌市全市", region_code="360100", cells={key: 30})]
    expected = _hierarchy_checks_by_scanning(reports)
    assert len(expected) > 20 and {c[-1] for c in expected} == {"match", "mismatch", "coverage"}
    assert [(c.report_id, c.year, c.region, c.bodies_found, c.bodies_known, c.summary_value, c.bodies_sum, c.status)
            for c in hierarchy_checks(reports) if c.figure == _label(key)] == expected
