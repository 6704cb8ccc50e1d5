"""The spider's callbacks on frozen responses: what it yields for a list, a report, a wrapper page."""

import json

import pytest
import scrapy
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.test import get_crawler

from crawler.items import ReportItem
from spiders.reports import ReportsSpider
from tests.fixtures import SITES


@pytest.fixture
def spider(tmp_path):
    return spider_for(tmp_path)


def spider_for(tmp_path):
    tmp_path.mkdir(exist_ok=True)
    portals = tmp_path / "portals.csv"
    portals.write_text("agency,region_code,level,start_url\n青阳县人民政府,341723,county,http://www.qingyang.gov.test/\n"
                       "东坡区人民政府,511402,district,http://www.dongpo.gov.test/\n"
                       "新洲区人民政府,420117,district,http://www.xinzhou.gov.test/\n", encoding="utf-8")
    crawler = get_crawler(ReportsSpider, {"PORTALS_FILE": str(portals)})
    crawler._apply_settings()
    return ReportsSpider.from_crawler(crawler, years="2019-2025", max_pages="50")


def response(url, portal=0, hops=1):
    host, path = url.split("/", 3)[2], url.split("/", 3)[3]
    body = (SITES / host / path).read_bytes()
    request = Request(url, meta={"portal": portal, "hops": hops})
    cls = HtmlResponse if path.endswith(".html") else Response
    return cls(url, body=body, request=request, headers={"Content-Type": "text/html" if cls is HtmlResponse else "application/pdf"})


def test_list_page_follows_reports_and_js_pages_but_not_lookalikes(spider):
    out = list(spider.parse_page(response("http://www.qingyang.gov.test/xxgk/ndbg/index.html")))
    urls = {r.url: r.priority for r in out if isinstance(r, scrapy.Request)}
    assert "http://www.qingyang.gov.test/xxgk/ndbg/2019/art_1.html" in urls
    assert urls["http://www.qingyang.gov.test/xxgk/ndbg/2019/art_1.html"] > urls["http://www.qingyang.gov.test/xxgk/ndbg/index_1.html"]
    assert {"http://www.qingyang.gov.test/xxgk/ndbg/index_1.html", "http://www.qingyang.gov.test/xxgk/ndbg/index_3.html"} <= set(urls)
    assert not [u for u in urls if "news" in u]


def test_out_of_range_years_are_not_followed(spider):
    out = list(spider.parse_page(response("http://www.qingyang.gov.test/xxgk/ndbg/index_3.html")))
    urls = [r.url for r in out if isinstance(r, scrapy.Request)]
    assert "http://www.qingyang.gov.test/xxgk/ndbg/2018/art_0.html" not in urls      # 2017 report
    assert "http://www.qingyang.gov.test/xxgk/private/czj2019.html" in urls          # robots.txt decides later


def test_report_page_becomes_an_item(spider):
    out = list(spider.parse_page(response("http://www.qingyang.gov.test/xxgk/ndbg/2020/art_2.html")))
    items = [o for o in out if isinstance(o, ReportItem)]
    assert len(items) == 1
    item = items[0]
    assert item.kind == "page" and item.status == 200
    assert item.portal["agency"] == "青阳县人民政府" and item.portal["region_code"] == "341723"
    assert item.body.startswith(b"<!DOCTYPE html>")
    assert item.title == "青阳县人民政府2020年政府信息公开工作年度报告"


def test_wrapper_page_follows_its_attachment_only(spider):
    out = list(spider.parse_page(response("http://www.dongpo.gov.test/xxgk/ndbg/qzf2021.html", portal=1)))
    assert [o for o in out if isinstance(o, ReportItem)] == []
    assert [r.url for r in out if isinstance(r, scrapy.Request)] == ["http://www.dongpo.gov.test/xxgk/ndbg/qzf2021.docx"]


def test_attachment_response_is_an_item(spider):
    out = list(spider.parse_page(response("http://www.dongpo.gov.test/xxgk/ndbg/sfj2020.pdf", portal=1)))
    assert len(out) == 1 and out[0].kind == "attachment" and out[0].body.startswith(b"%PDF")


def test_split_report_waits_for_its_second_page(spider):
    out = list(spider.parse_page(response("http://www.xinzhou.gov.test/xxgk/kjj/202301/t20230118_2.html", portal=2)))
    pending = [r for r in out if isinstance(r, scrapy.Request) and r.callback == spider.parse_continuation]
    assert [r.url for r in pending] == ["http://www.xinzhou.gov.test/xxgk/kjj/202301/t20230118_2_2.html"]
    # the item travels with the request: Scrapy's duplicate filter must not drop it when another
    # report (or a list) asked for the same URL first (a shared picture of a table, say)
    assert pending[0].dont_filter
    assert not [o for o in out if isinstance(o, ReportItem)]
    second = response(pending[0].url, portal=2)
    second.request.meta.update(pending[0].meta)
    done = list(spider.parse_continuation(second))
    assert len(done) == 1 and len(done[0].continuations) == 1


def test_off_domain_links_are_dropped(spider):
    out = list(spider.parse_page(response("http://www.qingyang.gov.test/index.html")))
    assert all("qingyang.gov.test" in r.url for r in out if isinstance(r, scrapy.Request))
    assert spider.crawler.stats.get_value("nianbao/offsite_links_dropped") == 2


def test_report_pages_written_by_create_page_html_are_fetched(spider):
    body = (SITES / "www.qingyang.gov.test" / "xxgk/ndbg/2020/art_2.html").read_bytes().replace(
        b"</body>", b'<script>createPageHTML(2, 0, "art_2", "html");</script></body>')
    url = "http://www.qingyang.gov.test/xxgk/ndbg/2020/art_2.html"
    out = list(spider.parse_page(HtmlResponse(url, body=body, request=Request(url, meta={"portal": 0, "hops": 1}))))
    pending = [r.url for r in out if isinstance(r, scrapy.Request) and r.callback == spider.parse_continuation]
    assert pending == ["http://www.qingyang.gov.test/xxgk/ndbg/2020/art_2_1.html"]


def test_a_list_widget_on_a_report_page_is_not_a_continuation(spider):
    body = (SITES / "www.qingyang.gov.test" / "xxgk/ndbg/2020/art_2.html").read_bytes().replace(
        b"</body>", b'<script>createPageHTML(3, 0, "index", "html");</script></body>')
    url = "http://www.qingyang.gov.test/xxgk/ndbg/2020/art_2.html"
    out = list(spider.parse_page(HtmlResponse(url, body=body, request=Request(url, meta={"portal": 0, "hops": 1}))))
    assert [o.url for o in out if isinstance(o, ReportItem)] == [url]


def test_links_resolve_against_the_base_element(spider):
    url = "http://www.qingyang.gov.test/xxgk/ndbg/list.html"
    body = ('<html><head><base href="http://www.qingyang.gov.test/col/col9/"></head><body>'
            '<a href="art_1.html">青阳县人民政府2021年政府信息公开工作年度报告</a></body></html>').encode()
    out = list(spider.parse_page(HtmlResponse(url, body=body, request=Request(url, meta={"portal": 0, "hops": 1}))))
    assert [r.url for r in out if isinstance(r, scrapy.Request)] == ["http://www.qingyang.gov.test/col/col9/art_1.html"]


def test_bad_arguments_become_one_clear_error(tmp_path):
    crawler = get_crawler(ReportsSpider, {"PORTALS_FILE": str(tmp_path / "missing.csv")})
    crawler._apply_settings()
    assert "cannot read portals list" in ReportsSpider.from_crawler(crawler).config_error
    crawler = get_crawler(ReportsSpider, {})
    crawler._apply_settings()
    spider = ReportsSpider.from_crawler(crawler, start_urls="http://www.qingyang.gov.test/", max_pages="lots")
    assert spider.config_error == "max_pages must be a positive whole number, not 'lots'"


def test_attachment_behind_a_download_url_is_recognised(spider):
    url = "http://www.dongpo.gov.test/servlet/download.do?id=5"
    body = (SITES / "www.dongpo.gov.test" / "xxgk/ndbg/sfj2020.pdf").read_bytes()
    response = Response(url, body=body, headers={"Content-Type": "application/octet-stream"},
                        request=Request(url, meta={"portal": 1, "hops": 2}))
    [item] = list(spider.parse_page(response))
    assert item.kind == "attachment" and item.body.startswith(b"%PDF")


def test_a_disclosure_page_s_columns_are_followed_and_walked_again_from_the_store(spider, tmp_path):
    """大汉 columns (/col/colN/) name no section: they count for being on a disclosure page, and a
    re-crawl walking the stored page follows them as the crawl that fetched it did."""
    url = "http://www.qingyang.gov.test/col/col42903/index.html"
    body = ('<html><head><title>法定主动公开内容</title></head><body><ul>'
            '<li><a href="/col/col43041/index.html">其他</a></li><li><a href="/col/col1/index.html">新闻动态</a></li>'
            '</ul></body></html>').encode()
    page = HtmlResponse(url, body=body, request=Request(url, meta={"portal": 0, "hops": 1}))
    column = "http://www.qingyang.gov.test/col/col43041/index.html"
    assert [r.url for r in spider.parse_page(page) if isinstance(r, scrapy.Request)] == [column]
    recorded = next(record for record in spider.crawl_state.drain() if record["url"] == url)

    again = spider_for(tmp_path / "again")
    walked = list(again._replay(page, {"kind": "nav", "links": json.loads(json.dumps(recorded["links"])),
                                       "is_list": False, "pagination": []}))
    assert [r.url for r in walked if isinstance(r, scrapy.Request)] == [column]


def test_year_columns_of_a_report_column_outside_the_crawl_s_years_are_skipped(spider):
    url = "http://www.qingyang.gov.test/col/col44359/index.html"
    years = "".join(f'<li><a href="/col/col{y}/index.html">{y}年</a></li>' for y in range(2015, 2027))
    body = f'<html><head><title>政府信息公开工作年度报告</title></head><body><ul>{years}</ul></body></html>'.encode()
    page = HtmlResponse(url, body=body, request=Request(url, meta={"portal": 0, "hops": 1}))
    followed = sorted(int(r.url.split("col/col")[1][:4]) for r in spider.parse_page(page) if isinstance(r, scrapy.Request))
    # years 2019-2025; a column may be named for the year its report was published in (2026)
    assert followed == list(range(2019, 2027))
