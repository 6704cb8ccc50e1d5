"""Focus on big portals: which links a disclosure section's pages lead the crawl to, judged on
frozen pages in the shape of a county portal's department sections."""
from urllib.parse import urljoin

import pytest

from crawler.discover import absolute_links, classify_outline, link_score, outline_html
from crawler.focus import ReportTrail, column_name, focused, lists_reports

BASE = "http://www.qingyang.gov.cn/xxgk/bm/a003/index.html"

# A department's own section: its columns, the report column among them, and the global chrome.
SECTION = """<html><head><title>青阳县教育局信息公开_青阳县人民政府</title></head><body>
<ul class="nav"><li><a href="/index.html">首页</a></li><li><a href="/news/index.html">新闻中心</a></li>
<li><a href="/xxgk/index.html">政务公开</a></li><li><a href="/whly/index.html">文化旅游</a></li></ul>
<h2>青阳县教育局</h2><ul class="columns">
<li><a href="/xxgk/bm/a003/gkzn/index.html">信息公开指南</a></li>
<li><a href="/xxgk/bm/a003/zcwj/index.html">政策文件</a></li>
<li><a href="/xxgk/bm/a003/czyjs/index.html">财政预决算</a></li>
<li><a href="/xxgk/bm/a003/gkbg/index.html">公开报告</a></li>
<li><a href="/xxgk/bm/a003/ndbg/index.html">政府信息公开年报</a></li>
<li><a href="/xxgk/bm/a003/tzgg/index.html">通知公告</a></li></ul></body></html>"""

# A column's list: ordinary documents, one report, and the next pages.
NOTICES = """<html><head><title>通知公告_青阳县人民政府</title></head><body><ul class="list">
<li><a href="/xxgk/bm/a003/tzgg/202403/t20240315_1001.html">关于印发《青阳县教育局2024年工作要点》的通知</a></li>
<li><a href="/xxgk/bm/a003/tzgg/202402/t20240220_1002.html">青阳县教育局2023年部门决算公开</a></li>
<li><a href="/xxgk/bm/a003/tzgg/202401/t20240121_1003.html">青阳县教育局2023年政府信息公开工作年度报告</a></li>
<li><a href="/xxgk/bm/a003/tzgg/202402/t20240201_1004.html">《青阳县教育局2023年政府信息公开工作年度报告》解读</a></li>
<li><a href="/xxgk/bm/a003/tzgg/202312/t20231201_1005.html">领导分工</a></li></ul>
<div class="page"><script>createPageHTML(3, 0, "index", "html");</script></div></body></html>"""


def scored(html, url=BASE):
    outline = outline_html(html)
    return [(u, a, t, link_score(u, a, t)) for u, a, t in absolute_links(url, outline.links)]


@pytest.mark.parametrize("anchor,url,expected", [
    # an agency's own section is never a look-alike, whatever words its name holds
    ("青阳县文化旅游体育局", "/xxgk/bm/a000/index.html", 40),
    ("青阳县文化和旅游局", "/xxgk/bm/a001/index.html", 40),
    ("青阳县文化广电体育和旅游局", "/xxgk/bm/a002/index.html", 40),
    ("新闻出版局", "/zwgk/xwcbj/index.html", 40),
    ("文化和旅游局信息公开", "/col/col12/index.html", 40),
    ("青阳县文化和旅游局", "/whlyj/index.html", 20),        # a department's website, not its section
    # the site's own 文化/新闻 sections still are not
    ("文化旅游", "/whly/index.html", 0),
    ("新闻中心", "/xwzx/index.html", 0),
    # ordinary documents in a disclosure section lead nowhere, whatever their URL holds
    ("关于印发《青阳县教育局2024年工作要点》的通知", "/xxgk/bm/a003/zcwj/202403/t20240315_1001.html", 0),
    ("领导分工", "/xxgk/bm/a003/jggk/202312/t20231201_1005.html", 0),
    ("青阳县教育局2023年部门决算公开", "/xxgk/bm/a003/czyjs/index_3.html", 0),        # a title, not a column name
    ("青阳县教育局部门决算", "/site/xxgk/content?id=1002", 0),
    ("信息公开指南", "/xxgk/bm/a003/gkzn/index.html", 30),
    ("财政预决算", "/xxgk/bm/a003/czyjs/index.html", 30),       # a column: only opened when the section has no report column
    # a report's commentary is not followed; a notice that may carry the report is
    ("《青阳县教育局2023年政府信息公开工作年度报告》解读", "/xxgk/bm/a003/tzgg/202402/t20240201_1004.html", 0),
    ("青阳县教育局2023年政府信息公开工作年度报告", "/xxgk/bm/a003/tzgg/202401/t20240121_1003.html", 100),
    ("关于公布2020年度政府信息公开工作年度报告的通知", "/xxgk/bm/a003/tzgg/202101/t20210120_9.html", 80),
])
def test_link_decisions(anchor, url, expected):
    assert link_score(urljoin(BASE, url), anchor) == expected


def test_a_section_with_a_report_column_opens_it_and_skips_its_ordinary_columns():
    links = scored(SECTION)
    kept = {a for _, a, _, s in focused(links, lambda u: True) if s > 0}
    assert kept == {"政务公开", "政府信息公开年报", "公开报告"}


def test_a_section_whose_report_column_was_seen_keeps_every_column():
    links = scored(SECTION)
    seen = {"http://www.qingyang.gov.cn/xxgk/bm/a003/ndbg/index.html"}
    kept = {a for _, a, _, s in focused(links, lambda u: u not in seen) if s > 0}
    assert {"信息公开指南", "政策文件", "财政预决算", "公开报告", "通知公告"} <= kept


def test_a_list_of_reports_or_a_column_does_not_open_the_ordinary_columns_in_its_sidebar():
    links = scored(SECTION)
    seen = {"http://www.qingyang.gov.cn/xxgk/bm/a003/ndbg/index.html"}     # the list itself
    kept = {a for _, a, _, s in focused(links, lambda u: u not in seen, sidebar_only=True) if s > 0}
    assert not {"信息公开指南", "政策文件", "财政预决算", "通知公告"} & kept and "公开报告" in kept


def test_a_list_with_one_report_is_a_list_of_reports_and_its_commentary_is_skipped():
    url = "http://www.qingyang.gov.cn/xxgk/bm/a003/tzgg/index.html"
    links = scored(NOTICES, url)
    assert lists_reports(links)
    assert [a for _, a, _, s in links if s > 0] == ["青阳县教育局2023年政府信息公开工作年度报告"]
    assert not lists_reports(scored(SECTION.replace("政府信息公开年报", "年鉴"), url))


def test_a_portal_teaches_where_it_lists_reports():
    trail = ReportTrail()
    other_section = "http://www.qingyang.gov.cn/xxgk/bm/a009/tzgg/index.html"
    assert trail.score(other_section, "通知公告", 30) == 30
    trail.learn("http://www.qingyang.gov.cn/xxgk/bm/a003/tzgg/index_1.html", "通知公告")
    assert trail.score(other_section, "通知公告", 30) == 70
    assert trail.score("http://www.qingyang.gov.cn/xxgk/bm/a009/col/col4411/index.html", "通知公告", 30) == 70   # by its name
    assert trail.score("http://www.qingyang.gov.cn/xxgk/bm/a009/zcwj/index.html", "政策文件", 30) == 30
    assert trail.score(other_section, "通知公告", 0) == 0          # never revives a link judged useless
    assert column_name("http://x.gov.cn/xxgk/bm/a003/tzgg/index_2.html") == "tzgg"


def test_pages_whose_title_names_no_report_are_judged_without_their_text():
    outline = outline_html(NOTICES)
    assert classify_outline(outline) == "other"
    assert "text" not in outline.__dict__         # the page's text was never walked
    report = outline_html("<html><head><title>青阳县教育局2023年政府信息公开工作年度报告</title></head><body>"
                          "<p>一、总体情况</p><table><tr><td>本年新收政府信息公开申请数量</td></tr>"
                          "<tr><td>四、结转下年度继续办理</td></tr></table></body></html>")
    assert classify_outline(report) == "report"
    assert "本年新收" in report.text


@pytest.mark.parametrize("href", ["/xxgk/a.html", "b.html", "//x.gov.cn/a", "../c.html", "/a/../b.html", "http://y.cn/z",
                                  "/p?q=1#f", "#top", "", "javascript:void(0)"])
def test_absolute_links_agree_with_urljoin(href):
    assert absolute_links(BASE, [(href, "", "")]) == [(urljoin(BASE, href), "", "")]
