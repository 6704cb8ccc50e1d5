"""Table 三/二/四 layouts real sites produce: cells per line, pipes, spaces, merged rows, numbering, and HTML grids."""
import pytest

from crawler.clean import clean_text
from crawler.decode import decode_bytes
from crawler.extract import extract_html
from crawler.report import parse_report
from crawler.tables import parse_applications, text_tokens
from tests.fixtures import HTML, SAMPLES, assert_tables, parse_html_fixture
from tests.fixtures import html_cases as cases
from tests.fixtures.html_cases import COLS
from tests.fixtures.text_cases import HEADERS, ROWS_2019, check, one_cell_per_line


def test_one_cell_per_line():
    apps, problems = parse_applications(text_tokens(one_cell_per_line()))
    check(apps)
    assert problems == []


def test_natural_person_header_dropped_still_seven_values():
    apps, _ = parse_applications(text_tokens(one_cell_per_line(headers=[h for h in HEADERS if h != "自然人"])))
    check(apps)


def test_rows_on_one_line_separated_by_spaces():
    text = "\n".join(["三、收到和处理政府信息公开申请情况", " ".join(HEADERS)] +
                     [f"{label} {' '.join(map(str, values or []))}" for label, values in ROWS_2019])
    apps, _ = parse_applications(text_tokens(text))
    check(apps)


def test_label_split_over_lines_and_spaces_inside_labels():
    text = one_cell_per_line().replace("一、本年新收政府信息公开申请数量", "一、本年新收政府信息\n公开申请数量").replace("商业企业", "商业 企业")
    cleaned, _ = clean_text(text)
    apps, _ = parse_applications(text_tokens(cleaned))
    check(apps)


def test_rows_collapsed_to_one_value():
    rows = [(label, [0] if values == [0] * 7 else values) for label, values in ROWS_2019]
    apps, _ = parse_applications(text_tokens(one_cell_per_line(rows=rows)))
    assert apps["denied_state_secret"] == {c: (0 if c == "total" else None) for c in COLS}
    assert apps["granted"] == dict(zip(COLS, [3, 1, 0, 0, 0, 0, 4]))


def test_wrong_count_is_reported_not_guessed():
    rows = [(label, values[:4] if label.startswith("(一)") else values) for label, values in ROWS_2019]
    apps, problems = parse_applications(text_tokens(one_cell_per_line(rows=rows)))
    assert "granted" not in apps
    assert problems == ["applications: row granted has 4 values, expected 7 or 1"]


def test_item_numbers_separated_by_a_space_are_not_values():
    text = "\n".join(["三、收到和处理政府信息公开申请情况", "(三)不予公开 0",
                      "1 属于国家秘密 0", "2 其他法律行政法规禁止公开 1 0 0 0 0 0 1"])
    apps, _ = parse_applications(text_tokens(text))
    assert apps["denied_state_secret"] == {c: (0 if c == "total" else None) for c in COLS}
    assert apps["denied_prohibited_by_law"]["natural_person"] == 1


def test_numbered_sub_heading_in_the_overview_is_not_table_two():
    from crawler.tables import split_sections
    text = (SAMPLES / "000_8000bc9f9e439cef.txt").read_text().replace(
        "(二)严格按照规定", "1.主动公开政府信息情况\n行政许可\n3\n(二)严格按照规定")
    sections = split_sections(clean_text(text)[0])
    assert sections["active"].startswith("二、主动公开政府信息情况")
    r = parse_report(text.encode())
    assert r["active"]["licensing"] == {"previous": 0, "change": 0, "decisions": 0}


def test_numbering_column_in_pipe_rows():
    text = ("三、收到和处理政府信息公开申请情况\n| | (三)不予公开 |\n| 1 | 属于国家秘密 | 0 |\n"
            "| 2 | 其他法律行政法规禁止公开 | 3 | 0 | 0 | 0 | 0 | 0 | 3 |\n| 3 | 危及“三安全一稳定” | 0 |")
    apps, problems = parse_applications(text_tokens(text))
    assert apps["denied_state_secret"] == {c: (0 if c == "total" else None) for c in COLS}
    assert apps["denied_prohibited_by_law"] == dict(zip(COLS, [3, 0, 0, 0, 0, 0, 3]))
    assert apps["denied_three_safeties"] == {c: (0 if c == "total" else None) for c in COLS}
    assert problems == []


def test_group_label_on_the_same_line_as_its_first_row():
    lines = ["三、收到和处理政府信息公开申请情况",
             "(六)其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请 1 0 0 0 0 0 1",
             "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请 0 0 0 0 0 0 0",
             "3.其他 2 0 0 0 0 0 2", "(七)总计 3 0 0 0 0 0 3"]
    apps, _ = parse_applications(text_tokens("\n".join(lines)))
    assert apps["other_no_correction"]["total"] == 1
    assert apps["other_misc"] == dict(zip(COLS, [2, 0, 0, 0, 0, 0, 2]))
    assert apps["other"] == dict(zip(COLS, [3, 0, 0, 0, 0, 0, 3]))


def test_values_glued_to_their_label():
    text = "三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量：46\n二、上年结转政府信息公开申请数量0\n(一)予以公开 40 0 0 0 0 0 40"
    apps, _ = parse_applications(text_tokens(text))
    assert apps["new_received"]["total"] == 46 and apps["carried_over"]["total"] == 0
    assert apps["granted"]["natural_person"] == 40


def test_rowspan_colspan_grid_is_mapped_by_labels():
    r = parse_html_fixture("county_2020_rowspan.html")
    assert_tables(r, cases.COUNTY_2020)
    assert r["flags"] == []
    # the merged "0" spanning seven columns is stored as a total only
    assert r["applications"]["carried_over"] == cases.merged(0)
    assert r["index_no"] == "11341723MB1583722X/2021-00012"


@pytest.mark.parametrize("name,case", [("county_2020_rowspan.html", cases.COUNTY_2020), ("bureau_2021_template.html", cases.BUREAU_2022)])
def test_flattened_text_path_agrees_with_the_grid(name, case):
    """When a page's <table>s cannot be read as grids, trafilatura's flattened rows give the same figures."""
    from crawler.report import _parse_extracted
    extracted = extract_html(decode_bytes((HTML / name).read_bytes()).text)
    extracted.grids = []
    report = _parse_extracted(extracted, [], {"url": None}, None)
    for key in ("active", "applications", "appeals"):
        assert report[key] == case[key], key


def test_grid_columns_are_mapped_by_their_labels_not_their_position():
    """A portal that printed 总计 first and the lawsuit blocks in the other order still parses right."""
    td = lambda text, **span: "<td" + "".join(f' {k}="{v}"' for k, v in span.items()) + f">{text}</td>"
    applicants = ["总计", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    apps = ("<p>三、收到和处理政府信息公开申请情况</p><table><tr>" + td("项目") + "".join(td(h) for h in applicants) + "</tr>"
            "<tr>" + td("一、本年新收政府信息公开申请数量") + "".join(td(v) for v in [9, 5, 1, 1, 1, 0, 1]) + "</tr>"
            "<tr>" + td("(一)予以公开") + "".join(td(v) for v in [9, 5, 1, 1, 1, 0, 1]) + "</tr></table>")
    outcomes = "".join(td(o) for o in ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"])
    appeals = ("<p>四、政府信息公开行政复议、行政诉讼情况</p><table><tr>" + td("行政诉讼", colspan=10) + td("行政复议", colspan=5, rowspan=2) + "</tr>"
               "<tr>" + td("复议后起诉", colspan=5) + td("未经复议直接起诉", colspan=5) + "</tr>"
               "<tr>" + outcomes * 3 + "</tr><tr>" + "".join(td(v) for v in [0, 0, 0, 1, 1, 2, 0, 0, 0, 2, 3, 1, 0, 0, 4]) + "</tr></table>")
    html = f"<html><body><h1>东坡区司法局2021年政府信息公开工作年度报告</h1><p>一、总体情况</p>{apps}{appeals}</body></html>"
    r = parse_report(html.encode())
    assert r["applications"]["new_received"] == dict(zip(cases.COLS, [5, 1, 1, 1, 0, 1, 9]))
    assert r["appeals"] == cases.appeals([3, 1, 0, 0, 4], [2, 0, 0, 0, 2], [0, 0, 0, 1, 1])


def test_all_three_tables_in_one_html_table():
    """Some CMS editors paste the three tables as one: it is split where each table starts."""
    import re as regex
    html = (HTML / "county_2020_rowspan.html").read_text(encoding="utf-8")
    # join the three <table>s into one, dropping the headings between them
    html = regex.sub(r"</table>\s*<p>[三四]、[^<]*</p>\s*<table[^>]*>", "", html)
    assert html.count("<table") == 2      # the metadata table and the one statistics table
    r = parse_report(html.encode())
    assert_tables(r, cases.COUNTY_2020)


def test_a_numbering_column_is_not_taken_for_values():
    td = lambda text: f"<td>{text}</td>"
    rows = [("", "(三)不予公开", None), ("1", "属于国家秘密", [0]), ("2", "其他法律行政法规禁止公开", [3, 0, 0, 0, 0, 0, 3])]
    body = "".join("<tr>" + td(n) + td(label) + ("".join(td(v) for v in values) if values else "") + "</tr>"
                   for n, label, values in rows)
    html = (f"<html><body><h1>东坡区司法局2021年政府信息公开工作年度报告</h1><p>一、总体情况</p>"
            f"<p>三、收到和处理政府信息公开申请情况</p><table>{body}</table></body></html>")
    r = parse_report(html.encode())
    assert r["applications"]["denied_state_secret"] == cases.merged(0)
    assert r["applications"]["denied_prohibited_by_law"] == cases.row(3, 0, 0, 0, 0, 0)
