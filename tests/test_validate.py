"""勾稽 and prose checks: what each flag says and when it stays quiet."""

from crawler.report import parse_report
from tests.fixtures import SAMPLES, assert_tables, parse_html_fixture
from tests.fixtures import html_cases as cases
from tests.fixtures.text_cases import HEAD, one_cell_per_line


def test_full_text_report_with_narrative_mismatch():
    body = HEAD.replace("7件", "9件") + one_cell_per_line()
    r = parse_report(body.encode())
    assert ("narrative_mismatch", "text says 9 applications received, table 三 new_received total is 7") in \
        [(f["code"], f["detail"]) for f in r["flags"]]
    assert {"missing_table"} <= {f["code"] for f in r["flags"]}   # no table 二 or 四 in this text


def test_narrative_about_another_year_is_not_compared():
    body = HEAD.replace("全年共收到政府信息公开申请7件", "较2019年收到申请9件有所下降") + one_cell_per_line()
    r = parse_report(body.encode())
    assert "narrative_mismatch" not in {f["code"] for f in r["flags"]}


def test_template_that_does_not_fit_the_year():
    text = (SAMPLES / "002_df1cbcf456d1d70c.txt").read_text().replace("2021年度政府信息公开工作年度报告", "2020年度政府信息公开工作年度报告")
    r = parse_report(text.encode())
    assert (r["year"], r["template"]) == (2020, "2021")
    assert ("template_mismatch", "report on 2020 uses the 2021 template; 2019 expected") in [(f["code"], f["detail"]) for f in r["flags"]]


def test_2021_template_page_with_late_publication_and_unbalanced_column():
    r = parse_html_fixture("bureau_2021_template.html")
    assert_tables(r, cases.BUREAU_2022)
    assert r["applications"]["other"] == cases.row(8, 0, 0, 0, 0, 0)
    assert sorted((f["code"], f["detail"]) for f in r["flags"]) == [
        ("balance_mismatch", "natural_person: 45 + 0 != 46 + 0"),
        ("balance_mismatch", "total: 45 + 0 != 46 + 0"),
        ("published_late", "published 2023-02-15, after the 2023-01-31 deadline"),
    ]


def test_prose_stating_a_part_before_the_whole_is_no_mismatch():
    from crawler.validate import validate
    report = {"year": 2021, "published": None, "template": "2021",
              "applications": {"new_received": {"total": 47}, "carried_over": {"total": 1}},
              "appeals": {"review": {"total": 1}, "suit_direct": {"total": 1}, "suit_after_review": {"total": 0}}}
    codes = lambda prose: [f["detail"] for f in validate(report, prose) if f["code"] == "narrative_mismatch"]
    assert codes("我局收到区政府转办申请5件。全年共收到政府信息公开申请47件。") == []
    # reviews and lawsuits counted together
    assert codes("全年发生政府信息公开行政复议、行政诉讼案件共2件。") == []
    assert codes("全年发生政府信息公开行政复议和行政诉讼案件5起。") == [
        "text says 5 (reviews and lawsuits together) lawsuits, table 四 lawsuits total 1, reviews 1"]
    assert codes("收到转办申请5件，全年共收到申请50件。") == ["text says 5 / 50 applications received, table 三 new_received total is 47"]
