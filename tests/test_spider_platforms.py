"""The spider with the platform adapters on frozen responses: list requests of every method are
made once, spend the portal's budget, and further parts of a list are asked only while it lists reports."""

import pytest
import scrapy
from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.utils.test import get_crawler

from crawler.platforms import ListRequest
from spiders.reports import ReportsSpider
from tests.fixtures import FIXTURES

PLATFORMS = FIXTURES / "platforms"
COLUMN_URL = "http://www.tongxi.gov.cn/col/col1229487437/index.html"


def make_spider(tmp_path, max_pages="50"):
    portals = tmp_path / "portals.csv"
    portals.write_text("agency,region_code,level,start_url\n桐溪县人民政府,330122,county,http://www.tongxi.gov.cn/\n",
                       encoding="utf-8")
    crawler = get_crawler(ReportsSpider, {"PORTALS_FILE": str(portals), "BROWSER_PATH": "/nonexistent/chromium"})
    crawler._apply_settings()
    return ReportsSpider.from_crawler(crawler, max_pages=max_pages)


@pytest.fixture
def spider(tmp_path):
    return make_spider(tmp_path)


def page(url, body, score=80):
    request = Request(url, meta={"portal": 0, "hops": 1, "score": score, "link_title": "政府信息公开年报"})
    return HtmlResponse(url, body=body.encode("utf-8"), request=request, headers={"Content-Type": "text/html; charset=utf-8"})


def requests(out):
    return [r for r in out if isinstance(r, scrapy.Request)]


def test_column_page_follows_embedded_records_and_posts_to_the_proxy(spider):
    out = requests(spider.parse_page(page(COLUMN_URL, (PLATFORMS / "hanweb_column.html").read_text(encoding="utf-8"))))
    urls = [r.url for r in out]
    assert "http://www.tongxi.gov.cn/art/2023/1/18/art_1229487437_59031101.html" in urls
    [post] = [r for r in out if r.method == "POST"]
    assert post.url == "http://www.tongxi.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=4&endrecord=6&perpage=1"
    assert b"columnid=1229487437" in post.body and b"unitid=4437391" in post.body
    assert post.meta["kind"] == "proxy" and post.callback == spider.parse_listing
    assert spider.scheduled[0] == len(out)          # every request, the POST too, spends the budget
    # the same POST is never made twice
    assert not [r for r in requests(spider.parse_page(page(COLUMN_URL, (PLATFORMS / "hanweb_column.html").read_text(encoding="utf-8"))))
                if r.method == "POST"]


def test_proxy_answer_is_followed_like_a_list(spider):
    [post] = [r for r in requests(spider.parse_page(page(COLUMN_URL, (PLATFORMS / "hanweb_column.html").read_text(encoding="utf-8"))))
              if r.method == "POST"]
    answer = TextResponse(post.url, body=(PLATFORMS / "hanweb_proxy.xml").read_bytes(), request=post,
                          headers={"Content-Type": "text/xml; charset=utf-8"})
    out = requests(spider.parse_listing(answer))
    priority = {r.url: r.priority for r in out}
    # reports first; the notice about reports only as a possible list (it is told apart when fetched)
    assert priority["http://www.tongxi.gov.cn/art/2022/1/19/art_1229487437_58800277.html"] > \
        priority["http://www.tongxi.gov.cn/art/2021/3/2/art_1229487437_58100044.html"]
    assert [r.url for r in out if r.method == "POST"] == [
        "http://www.tongxi.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=7&endrecord=8&perpage=1"]
    assert spider.crawler.stats.get_value("nianbao/requests/proxy") == 1


def test_widget_of_news_is_not_paged_and_empty_widget_only_on_a_report_list(spider):
    html = (PLATFORMS / "hanweb_column.html").read_text(encoding="utf-8")
    news = html.replace("政府信息公开工作年度报告", "常务会议").replace("年度报告", "会议")
    assert not [r for r in requests(spider.parse_page(page(COLUMN_URL, news))) if r.method == "POST"]
    empty = html.split("<recordset>")[0] + "<recordset></recordset></datastore></script></div>" + html.split("</div>", 3)[-1]
    assert not [r for r in requests(spider.parse_page(page(COLUMN_URL + "?a", empty, score=50))) if r.method == "POST"]
    assert [r for r in requests(spider.parse_page(page(COLUMN_URL + "?b", empty, score=80))) if r.method == "POST"]


def test_list_requests_stop_at_the_page_budget(tmp_path):
    spider = make_spider(tmp_path, max_pages="2")
    out = requests(spider.parse_page(page(COLUMN_URL, (PLATFORMS / "hanweb_column.html").read_text(encoding="utf-8"))))
    assert len(out) == 2 and spider.scheduled[0] == 2
    assert spider.crawler.stats.get_value("nianbao/budget_exhausted") >= 1


def test_unreadable_list_answer_is_counted_not_raised(spider):
    request = Request("http://www.tongxi.gov.cn/gkmlpt/api/tree?sid=1", meta={
        "portal": 0, "hops": 2, "kind": "api",
        "list_request": ListRequest("gkmlpt", "http://www.tongxi.gov.cn/gkmlpt/api/tree?sid=1", "api", state={"step": "list"})})
    answer = TextResponse(request.url, body=b"{not json", request=request, headers={"Content-Type": "application/json"})
    assert list(spider.parse_listing(answer)) == []
    assert spider.crawler.stats.get_value("nianbao/errors/list_unreadable") == 1


def test_page_needing_javascript_without_browser_is_skipped_and_said(spider):
    shell = "<html><head><title>政府信息公开年报</title></head><body><ul id='list'></ul><script>build()</script></body></html>"
    assert requests(spider.parse_page(page("http://www.tongxi.gov.cn/zwgk/ndbg/index.html", shell))) == []
    assert spider.crawler.stats.get_value("nianbao/render/skipped") == 1
    assert spider.crawler.stats.get_value("nianbao/render/unavailable").startswith("no Chromium at /nonexistent/chromium")


def test_column_named_by_year_and_paged_stays_a_list(spider):
    """Only an article's page 1 is taken for a split report: a column titled like a report, paged
    index.html → index_1.html, is a list whose pages are followed as lists."""
    items = "".join(f'<li><a href="/xxgk/ndbg/2021/art_{i}.html">桐溪县第{i}局{2019 + i}年政府信息公开工作年度报告</a></li>'
                    for i in range(3))
    html = (f"<html><head><title>2021年度政府信息公开年报</title></head><body><h1>2021年度政府信息公开年报</h1><ul>{items}</ul>"
            '<div class="page">第1页 <a href="index_1.html">下一页</a></div></body></html>')
    out = list(spider.parse_page(page("http://www.tongxi.gov.cn/xxgk/ndbg/2021/index.html", html)))
    assert not [o for o in out if not isinstance(o, scrapy.Request)]          # no report item
    nxt = [r for r in out if r.url == "http://www.tongxi.gov.cn/xxgk/ndbg/2021/index_1.html"]
    assert [r.callback for r in nxt] == [spider.crawl_page]


def test_split_article_whose_first_page_looks_like_a_list_is_a_report(spider):
    related = "".join(f'<li><a href="/art/2021/1/1{i}/art_1229_{i}.html">桐溪县人民政府{2018 + i}年政府信息公开工作年度报告</a></li>'
                      for i in range(1, 4))
    html = ('<html><head><meta name="ArticleTitle" content="桐溪县财政局2022年政府信息公开工作年度报告">'
            "<title>桐溪县财政局2022年政府信息公开工作年度报告</title></head><body>"
            "<h1>桐溪县财政局2022年政府信息公开工作年度报告</h1><p>一、基本情况</p><p>2022年，桐溪县财政局坚持以公开为常态。</p>"
            f'<div class="pages">第1页 <a href="art_1229_10_2.html">下一页</a></div><ul class="related">{related}</ul></body></html>')
    out = list(spider.parse_page(page("http://www.tongxi.gov.cn/art/2023/1/18/art_1229_10.html", html)))
    [continuation] = [r for r in out if r.callback == spider.parse_continuation]
    assert continuation.url == "http://www.tongxi.gov.cn/art/2023/1/18/art_1229_10_2.html"
    assert continuation.meta["item"].url == "http://www.tongxi.gov.cn/art/2023/1/18/art_1229_10.html"
