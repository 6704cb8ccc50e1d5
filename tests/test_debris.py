"""Markup and conversion debris never costs the report its body or its figures."""
import pytest

from crawler.extract import close_comments
from crawler.report import parse_report
from tests.fixtures import HTML, assert_tables
from tests.fixtures import html_cases as cases

PAGE = (HTML / "county_2020_rowspan.html").read_text()
ARTICLE = '<div class="article" id="zoom">'


@pytest.mark.parametrize("name,html", [
    ("unclosed comment", PAGE.replace(ARTICLE, "<!-- 正文开始 <div class=\"x\">\n" + ARTICLE, 1)),
    ("lone -->", PAGE.replace(ARTICLE, "--> " + ARTICLE, 1)),
    ("conditional comment in the table", PAGE.replace("<table", "<!--[if !supportMisalignedColumns]--><table", 1)),
    ("相关链接 block", PAGE.replace('<div class="tools">', '<div>相关链接：<a href="/a">青阳县2019年报</a></div><div class="tools">')),
    ("navigation glued to the body", PAGE.replace(ARTICLE, ARTICLE + "首页 > 政务公开 > 政府信息公开年报 ", 1)),
])
def test_debris_leaves_the_report_whole(name, html):
    report = parse_report(html.encode(), filename="page.html")
    assert_tables(report, cases.COUNTY_2020)


def test_only_an_unclosed_comment_is_opened():
    assert close_comments("a<!-- x -->b<!-- never closed c") == "a<!-- x -->b never closed c"
    assert close_comments("<!--a--><!--b--> c") == "<!--a--><!--b--> c"
