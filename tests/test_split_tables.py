"""Table 三 cut in two HTML tables at a page break: the second part is still table 三, whatever
row it starts at, and its figures land in their columns (frozen page: html/split_table_2021.html,
scored by the accuracy gate)."""
import json

from crawler.report import parse_report
from crawler.tables import section_of_table
from tests.fixtures import HTML


def test_the_second_part_is_table_three_from_any_row():
    for part in ("2.重复申请 0 0 0 0 0 0 0 3.要求提供公开出版物 0", "(六)其他处理 1.申请人无正当理由逾期不补正 0",
                 "(七)总计 36 1 0 0 1 1 39 四、结转下年度继续办理 1 0 0 0 0 0 1"):
        assert section_of_table(part) == "applications"
    assert section_of_table("行政复议 结果维持 结果纠正 其他结果 尚未审结 总计") == "appeals"


def test_the_second_part_s_figures_line_up_under_their_columns():
    page = HTML / "split_table_2021.html"
    answer = json.loads(page.with_suffix(".expected.json").read_text(encoding="utf-8"))
    report = parse_report(page.read_bytes(), content_type="text/html")
    assert report["applications"] == answer["applications"]
    assert not [f for f in report["flags"] if f["code"] in ("balance_mismatch", "handled_total_mismatch", "partial_table")]
