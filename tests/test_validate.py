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
