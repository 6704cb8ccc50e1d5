"""Link scoring, page classification and pagination on frozen demo-portal pages."""

import pytest

from crawler.decode import decode_bytes
from crawler.discover import (
    classify_page,
    continuation_links,
    host_allowed,
    link_score,
    outline_html,
    page_context,
    pagination_urls,
    registrable_domain,
    title_year,
)
from tests.fixtures import SITES


def outline(host, path):
    return outline_html(decode_bytes((SITES / host / path).read_bytes()).text)


@pytest.mark.parametrize("url,anchor,expected", [
    ("http://a.gov.cn/xxgk/ndbg/2021/art_1.html", "青阳县人民政府2021年政府信息公开工作年度报告", 100),
    ("http://a.gov.cn/col/col123/index.html", "政府信息公开年报", 80),
    ("http://a.gov.cn/zfxxgkndbg/", "更多", 80),
    ("http://a.gov.cn/xxgk/index.html", "政府信息公开", 50),
    ("http://a.gov.cn/xxgk/bm.html", "部门信息公开", 40),
    ("http://a.gov.cn/col/col9/index.html", "政務公開", 50),
    ("http://a.gov.cn/news/1.html", "青阳县召开常务会议", 0),
    ("http://a.gov.cn/xxgk/jd.html", "《2020年政府信息公开工作年度报告》解读", 0),     # the report is listed beside it
    ("http://a.gov.cn/art/2024/4/6/art_1_2.html", "一图读懂云岭县2023年政府信息公开工作年度报告", 0),
    ("http://a.gov.cn/a.jpg", "2020年政府信息公开工作年度报告", 0),
    ("http://a.gov.cn/files/nb2020.pdf", "2020年政府信息公开工作年度报告.pdf", 90),
    ("http://a.gov.cn/files/notice.pdf", "采购公告.pdf", 0),
    ("javascript:void(0)", "政府信息公开", 0),
])
def test_link_score(url, anchor, expected):
    assert link_score(url, anchor) == expected


def test_what_a_link_is_worth_depends_on_the_page_it_is_on():
    # 大汉 sites: a report column split by year, and columns whose URLs name no section
    reports = page_context("http://a.gov.cn/col/col44359/index.html", "政府信息公开工作年度报告 - 云岭县文化和旅游局")
    disclosure = page_context("http://a.gov.cn/col/col42903/index.html", "法定主动公开内容")
    assert (reports, disclosure) == ("reports", "disclosure")
    assert page_context("http://a.gov.cn/index.html", "云岭县人民政府") == ""
    assert link_score("http://a.gov.cn/col/col44387/index.html", "2024年", "", reports) == 80
    assert link_score("http://a.gov.cn/col/col44387/index.html", "2024年") == 0
    assert link_score("http://a.gov.cn/col/col43041/index.html", "其他", "", disclosure) == 30
    assert link_score("http://a.gov.cn/col/col43275/index.html", "通知公告", "", disclosure) == 30
    assert link_score("http://a.gov.cn/col/col43041/index.html", "其他") == 0
    assert link_score("http://a.gov.cn/col/col1/index.html", "新闻动态", "", disclosure) == 0


@pytest.mark.parametrize("url,anchor,expected", [
    # bodies that are not ministries, named after their region: their sections, whatever words they hold
    ("http://a.gov.cn/xxgk/bm/a12/index.html", "云岭县旅游发展服务中心", 40),
    ("http://a.gov.cn/bm/gbdst/index.html", "云岭县广播电视台", 20),
    ("http://a.gov.cn/news/index.html", "新闻中心", 0),
    # a list entry cut short, with no title attribute
    ("http://a.gov.cn/zwgk/list.html", "云岭县新闻出版局2024年政府信息公开工...", 90),
    ("http://a.gov.cn/zwgk/list.html", "关于做好2024年政府信息公开工…", 0),
    # documents that speak of disclosure work are documents, not sections
    ("http://a.gov.cn/art/2025/1/9/art_1_2.html", "云岭县教育局关于2024年政府信息公开工作情况的自查报告", 0),
    ("http://a.gov.cn/xxgk/t20250109_2.html", "云岭县教育局2024年度政务公开工作要点", 0),
    ("http://a.gov.cn/xxgk/bm/index.html", "云岭县文化广电体育和旅游局政府信息公开", 40),
    # other annual reports, even where the disclosure reports are kept
    ("http://a.gov.cn/xxgkndbg/202201/t20220115_1.html", "云岭县2021年法治政府建设年度报告", 0),
    ("http://a.gov.cn/xxgkndbg/202201/t20220115_2.html", "云岭县人民政府2021年度政府网站工作年度报表", 0),
    ("http://a.gov.cn/xxgkndbg/202201/t20220115_3.html", "2021年度报告", 80),
])
def test_link_score_of_bodies_cut_titles_and_documents(url, anchor, expected):
    assert link_score(url, anchor) == expected


@pytest.mark.parametrize("host,path,kind", [
    ("www.qingyang.gov.test", "xxgk/ndbg/2020/art_2.html", "report"),
    ("www.qingyang.gov.test", "xxgk/ndbg/index.html", "index"),
    ("www.qingyang.gov.test", "xxgk/ndbg/jd2020.html", "lookalike"),
    ("www.qingyang.gov.test", "xxgk/ndbg/qynb.html", "lookalike"),
    ("www.qingyang.gov.test", "xxgk/ndbg/tjnb.html", "lookalike"),
    ("www.qingyang.gov.test", "news/3.html", "other"),
    ("www.dongpo.gov.test", "xxgk/gzbg.html", "other"),
    ("www.dongpo.gov.test", "xxgk/ndbg/jd.html", "lookalike"),
    ("www.panshan.gov.test", "zwgk/ndbg/202301/t20230130_1.html", "report"),
    ("www.linjiang.gov.test", "zwgk/ndbg/2023/0215/art_9.html", "report"),
    ("www.lyyingzhou.mirror.test", "zwgk/2021/0125/1.html", "report"),
])
def test_classify_frozen_pages(host, path, kind):
    page = outline(host, path)
    assert classify_page(page.title, page.text) == kind


def test_classify_titles():
    assert classify_page("关于印发2021年政务公开工作要点的通知") == "other"
    assert classify_page("XX市2021年度工作报告") == "other"
    assert classify_page("XX市2021年政府信息公开工作年度报告") == "report"
    assert classify_page("XX市二〇二一年政府信息公开工作年度报告") == "report"
    assert classify_page("XX市企业年报公示") == "lookalike"
    assert title_year("XX市二〇二一年政府信息公开工作年度报告") == 2021


def test_create_page_html_pagination():
    page = outline("www.qingyang.gov.test", "xxgk/ndbg/index.html")
    urls = pagination_urls("http://www.qingyang.gov.test/xxgk/ndbg/index.html", page.html)
    assert urls == [f"http://www.qingyang.gov.test/xxgk/ndbg/index_{n}.html" for n in (1, 2, 3)]


def test_count_page_variable_pagination():
    html = '<script>var countPage = 3;</script><a href="index_1.html">下一页</a>'
    assert pagination_urls("http://x.gov.cn/col/index.html", html) == ["http://x.gov.cn/col/index_1.html", "http://x.gov.cn/col/index_2.html"]


def test_report_split_over_pages():
    links = [("t20230118_2_2.html", "下一页"), ("t20230118_3.html", "下一篇"), ("/other_2.html", "2")]
    assert continuation_links("http://x.gov.cn/kjj/t20230118_2.html", links) == ["http://x.gov.cn/kjj/t20230118_2_2.html"]


def test_domains():
    assert registrable_domain("www.qingyang.gov.cn") == "qingyang.gov.cn"
    assert registrable_domain("www.qingyang.gov.test") == "qingyang.gov.test"
    assert registrable_domain("127.0.0.1") == "127.0.0.1"
    assert registrable_domain("www.lyyingzhou.mirror.test") == "lyyingzhou.mirror.test"
    assert registrable_domain("xxgk.beijing.gov.cn") == "beijing.gov.cn"
    assert host_allowed("xxgk.qingyang.gov.test", {"qingyang.gov.test"})
    assert not host_allowed("qingyang.gov.test.evil.test", {"qingyang.gov.test"})
    assert not host_allowed("www.lb-casino.test", {"lyyingzhou.mirror.test"})


def test_create_page_html_variants():
    html = "<script>createPageHTML('page_div', 3, 1, 'fg', 'shtml', 45);</script>"
    assert pagination_urls("http://x.gov.cn/col/fg_1.shtml", html) == ["http://x.gov.cn/col/fg.shtml", "http://x.gov.cn/col/fg_2.shtml"]
    assert pagination_urls("http://x.gov.cn/col/", 'createPageHTML(2,0,"index","htm")') == ["http://x.gov.cn/col/index.htm", "http://x.gov.cn/col/index_1.htm"]


def test_report_title_is_found_when_h1_holds_the_site_name():
    html = ("<html><head><title>青阳县人民政府门户网站</title></head><body><h1>青阳县人民政府</h1>"
            "<div class='article-title'>青阳县民政局2021年政府信息公开工作年度报告</div><p>一、总体情况</p></body></html>")
    page = outline_html(html)
    assert page.title == "青阳县民政局2021年政府信息公开工作年度报告"
    assert classify_page(page.title, page.text) == "report"


def test_framed_disclosure_platform_is_followed():
    page = outline_html('<html><body><iframe src="http://xxgk.x.gov.cn/zfxxgk/index.html" title="政府信息公开"></iframe></body></html>')
    assert [(href, link_score(href, anchor, title)) for href, anchor, title in page.links] == [("http://xxgk.x.gov.cn/zfxxgk/index.html", 50)]


def test_catalogue_documents_are_not_followed():
    assert link_score("http://a.gov.cn/xxgk/1.html", "关于做好2021年政府信息公开工作的通知") == 0
    assert link_score("http://a.gov.cn/xxgk/2.html", "青政办〔2021〕3号 政府信息公开目录更新") == 0
    assert link_score("http://a.gov.cn/xxgk/3.html", "关于公布2020年度政府信息公开工作年度报告的通知") == 80


def test_a_notice_that_carries_the_report_is_a_report():
    page = outline("www.qingyang.gov.test", "xxgk/ndbg/2020/art_2.html")
    notice = "关于公布青阳县人民政府2020年政府信息公开工作年度报告的通知"
    assert classify_page(notice, page.text) == "report"
    assert classify_page(notice, "现将年度报告予以公布，详见附件。") == "lookalike"
    assert classify_page("政府信息公开年报", page.text) == "report"


def test_portal_list_with_extra_domains(tmp_path):
    from crawler.portals import PortalListError, load_portals, parse_years
    csv_file = tmp_path / "p.csv"
    csv_file.write_text("agency,region_code,level,start_url,extra_domains\n"
                        "青阳县人民政府,341723,county,http://www.qingyang.gov.cn/,xxgk.chizhou.gov.cn\n", encoding="utf-8")
    [portal] = load_portals(csv_file)
    assert portal.domains == {"qingyang.gov.cn", "chizhou.gov.cn"}
    assert parse_years("2019-2025") == (2019, 2025) and parse_years("2021") == (2021, 2021)
    with pytest.raises(PortalListError):
        parse_years("last year")
    csv_file.write_text("agency,start_url\nX,ftp://x.gov.cn/\n", encoding="utf-8")
    with pytest.raises(PortalListError, match="not an http"):
        load_portals(csv_file)


def test_a_correction_or_a_picture_guide_to_a_report_is_a_lookalike():
    assert classify_page("关于云岭县政务服务管理局2023年政府信息公开工作年度报告的更正说明") == "lookalike"
    assert classify_page("一图读懂云岭县2023年政府信息公开工作年度报告") == "lookalike"
    assert classify_page("云岭县政务服务管理局2023年政府信息公开工作年度报告") == "report"


def test_news_about_publishing_a_report_is_a_lookalike():
    assert classify_page("我县发布2020年政府信息公开工作年度报告") == "lookalike"
    assert classify_page("青阳县顺利完成2021年度政府信息公开工作年度报告编制") == "lookalike"
    assert classify_page("青阳县人民政府2021年度政府信息公开工作年度报告") == "report"


def test_query_paged_articles():
    links = [("art_1_9.html?pageNum=2", "下一页"), ("art_1_9.html?pageNum=3", "3"), ("../list.html?page=2", "下一页")]
    assert continuation_links("http://x.gov.cn/col/art_1_9.html", links) == [
        "http://x.gov.cn/col/art_1_9.html?pageNum=2", "http://x.gov.cn/col/art_1_9.html?pageNum=3"]
