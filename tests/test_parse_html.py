"""HTML fixtures in real portals' shapes, rendered from the dicts in html_cases.py."""
from pathlib import Path

import pytest

import html_cases as cases
from crawler.report import NotAReport, parse_report

HTML = Path(__file__).parent / "fixtures" / "html"


def parse(name, **kw):
    return parse_report((HTML / name).read_bytes(), filename=name, **kw)


def assert_tables(report, expected):
    for key in ("agency", "year", "template", "published", "active", "applications", "appeals"):
        assert report[key] == expected[key], key


def test_rowspan_colspan_grid_is_mapped_by_labels():
    r = parse("county_2020_rowspan.html")
    assert_tables(r, cases.COUNTY_2020)
    assert r["flags"] == []
    # the merged "0" spanning seven columns is stored as a total only
    assert r["applications"]["carried_over"] == cases.merged(0)
    assert r["index_no"] == "11341723MB1583722X/2021-00012"


def test_2021_template_page_with_late_publication_and_unbalanced_column():
    r = parse("bureau_2021_template.html")
    assert_tables(r, cases.BUREAU_2022)
    assert r["applications"]["other"] == cases.row(8, 0, 0, 0, 0, 0)
    assert sorted((f["code"], f["detail"]) for f in r["flags"]) == [
        ("balance_mismatch", "natural_person: 45 + 0 != 46 + 0"),
        ("balance_mismatch", "total: 45 + 0 != 46 + 0"),
        ("published_late", "published 2023-02-15, after the 2023-01-31 deadline"),
    ]


def test_gbk_bytes_labelled_utf8_are_repaired():
    r = parse("gbk_says_utf8.html")
    assert_tables(r, cases.COUNTY_2020)
    assert [f["code"] for f in r["flags"]] == ["encoding_repaired"]
    assert r["source"]["encoding"] == "gb18030"


def test_news_page_linking_to_reports_is_not_a_report():
    with pytest.raises(NotAReport):
        parse("news_not_report.html")


def test_report_below_a_notice_is_found():
    r = parse("report_below_notice.html")
    assert_tables(r, {**cases.COUNTY_2020, "published": None})
    assert r["flags"] == []


def test_sidebar_and_footer_do_not_leak_into_identity():
    r = parse("county_2020_rowspan.html")
    assert r["title"] == "青阳县人民政府2020年政府信息公开工作年度报告"
    assert r["publisher"] == "青阳县人民政府"


@pytest.mark.parametrize("name,case", [("county_2020_rowspan.html", cases.COUNTY_2020), ("bureau_2021_template.html", cases.BUREAU_2022)])
def test_flattened_text_path_agrees_with_the_grid(name, case):
    """When a page's <table>s cannot be read as grids, trafilatura's flattened rows give the same figures."""
    from crawler.decode import decode_bytes
    from crawler.extract import extract_html
    from crawler.report import _parse_extracted
    extracted = extract_html(decode_bytes((HTML / name).read_bytes()).text)
    extracted.grids = []
    report = _parse_extracted(extracted, [], {"url": None}, None)
    for key in ("active", "applications", "appeals"):
        assert report[key] == case[key], key


def test_sidebar_headings_do_not_override_the_page_title():
    html = (HTML / "county_2020_rowspan.html").read_text(encoding="utf-8")
    html = html.replace('<meta name="ArticleTitle"', '<meta name="Other"')
    html = html.replace('<h1 class="article-title">青阳县人民政府2020年政府信息公开工作年度报告</h1>', '<h1>青阳县人民政府</h1>')
    html = html.replace("<h3>相关链接</h3>", '<h3>相关链接</h3><div class="title">青阳县教育局2019年政府信息公开工作年度报告</div>')
    r = parse_report(html.encode())
    assert (r["agency"], r["year"], r["title"]) == ("青阳县人民政府", 2020, "青阳县人民政府2020年政府信息公开工作年度报告")


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


def test_big5_traditional_page_with_and_without_an_honest_meta():
    page = (Path(__file__).resolve().parents[1] / "demo" / "sites" / "www.panshan.gov.test" / "zwgk" / "ndbg" / "202201"
            / "t20220128_1.html").read_text(encoding="utf-8")
    honest = parse_report(page.replace("charset=utf-8", "charset=big5").encode("big5hkscs", errors="replace"))
    lying = parse_report(page.encode("big5hkscs", errors="replace"))   # one variant character has no Big5 code
    for report in (honest, lying):
        assert (report["agency"], report["year"], report["source"]["encoding"]) == ("盘山县人民政府办公室", 2021, "big5hkscs")
    assert [f["code"] for f in honest["flags"]] == ["traditional_script"]
    assert [f["code"] for f in lying["flags"]] == ["encoding_repaired", "traditional_script"]
