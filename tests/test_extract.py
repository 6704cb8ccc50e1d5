"""Main text and identity out of real portal page shapes: sidebars, footers, notices."""
import pytest

from crawler.report import NotAReport, parse_report
from tests.fixtures import HTML, assert_tables, parse_html_fixture
from tests.fixtures import html_cases as cases


def test_sidebar_and_footer_do_not_leak_into_identity():
    r = parse_html_fixture("county_2020_rowspan.html")
    assert r["title"] == "青阳县人民政府2020年政府信息公开工作年度报告"
    assert r["publisher"] == "青阳县人民政府"


def test_sidebar_headings_do_not_override_the_page_title():
    html = (HTML / "county_2020_rowspan.html").read_text(encoding="utf-8")
    html = html.replace('<meta name="ArticleTitle"', '<meta name="Other"')
    html = html.replace('<h1 class="article-title">青阳县人民政府2020年政府信息公开工作年度报告</h1>', '<h1>青阳县人民政府</h1>')
    html = html.replace("<h3>相关链接</h3>", '<h3>相关链接</h3><div class="title">青阳县教育局2019年政府信息公开工作年度报告</div>')
    r = parse_report(html.encode())
    assert (r["agency"], r["year"], r["title"]) == ("青阳县人民政府", 2020, "青阳县人民政府2020年政府信息公开工作年度报告")


def test_news_page_linking_to_reports_is_not_a_report():
    with pytest.raises(NotAReport):
        parse_html_fixture("news_not_report.html")


def test_report_below_a_notice_is_found():
    r = parse_html_fixture("report_below_notice.html")
    assert_tables(r, {**cases.COUNTY_2020, "published": None})
    assert r["flags"] == []
