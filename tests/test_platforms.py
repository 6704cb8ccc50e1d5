"""Each platform adapter on frozen responses: how it recognises a page, which requests it makes,
and which entries (url, title) it reads from the answers."""
from urllib.parse import parse_qsl, urlsplit

from crawler import platforms
from crawler.discover import link_score
from crawler.platforms import ListRequest, generic, gkmlpt, hanweb
from tests.fixtures import FIXTURES

PLATFORMS = FIXTURES / "platforms"
COLUMN_URL = "http://www.tongxi.gov.cn/col/col1229487437/index.html"


def fixture(name):
    return (PLATFORMS / name).read_text(encoding="utf-8")


def titles(listing):
    return [e.title for e in listing.entries]


# ------------------------------------------------------------------ hanweb

def test_hanweb_column_page_records_and_the_proxy_post_from_its_jpage_call():
    listing = hanweb.page_listing(COLUMN_URL, fixture("hanweb_column.html"))
    assert [e.url for e in listing.entries] == [
        "http://www.tongxi.gov.cn/art/2023/1/20/art_1229487437_59031234.html",
        "http://www.tongxi.gov.cn/art/2023/1/18/art_1229487437_59031101.html",
        "http://www.tongxi.gov.cn/art/2022/2/9/art_1229487437_58900012.html"]
    # the full title from title=, not the anchor text cut short with "..."
    assert titles(listing)[0] == "桐溪县人民政府2022年政府信息公开工作年度报告"
    [proxy] = listing.requests
    assert (proxy.method, proxy.kind, proxy.next_page) == ("POST", "proxy", True)
    url = urlsplit(proxy.url)
    assert url.path == "/module/web/jpage/dataproxy.jsp"
    # after the 3 embedded records, as many as the widget asks for at once (perPage × groupSize)
    assert dict(parse_qsl(url.query)) == {"startrecord": "4", "endrecord": "6", "perpage": "1"}
    assert proxy.form == {"col": "1", "appid": "1", "webid": "3201", "path": "/", "columnid": "1229487437",
                          "sourceContentType": "1", "unitid": "4437391", "webname": "桐溪县人民政府", "permissiontype": "0"}


def test_hanweb_proxy_answer_gives_records_and_asks_for_the_rest_until_the_total():
    [first] = hanweb.page_listing(COLUMN_URL, fixture("hanweb_column.html")).requests
    answer = platforms.read_listing(first, fixture("hanweb_proxy.xml"))
    assert titles(answer) == ["桐溪县人民政府2021年政府信息公开工作年度报告", "桐溪县民政局2021年政府信息公开工作年度报告",
                              "关于做好2020年度政府信息公开工作年度报告编制发布工作的通知"]
    assert answer.entries[0].url == "http://www.tongxi.gov.cn/art/2022/1/21/art_1229487437_58800321.html"
    [second] = answer.requests
    assert dict(parse_qsl(urlsplit(second.url).query)) == {"startrecord": "7", "endrecord": "8", "perpage": "1"}
    assert second.form == first.form and second.key != first.key
    last = platforms.read_listing(second, fixture("hanweb_proxy.xml"))
    assert last.entries and not last.requests         # record 8 of 8: nothing more to ask


def test_hanweb_ajax_param_in_a_variable_and_a_column_without_jpage_call():
    page = fixture("hanweb_column.html").replace(
        "ajaxParam: {col: 1, appid: 1, webid: 3201, path: '/', columnid: 1229487437, sourceContentType: 1, unitid: '4437391', webname: '桐溪县人民政府', permissiontype: 0}",
        "ajaxParam: param4437391")
    page = page.replace("var currpage = 1;", "var param4437391 = {webid: \"3201\", columnid: \"1229487437\", unitid: \"4437391\", path: \"/\"};")
    [proxy] = hanweb.page_listing(COLUMN_URL, page).requests
    assert proxy.form == {"webid": "3201", "columnid": "1229487437", "unitid": "4437391", "path": "/"}
    # no jpage call at all: the proxy's fields from <nextgroup>, the count from <totalrecord>
    bare = page.split("<script type=\"text/javascript\" language=\"javascript\"")[0].replace(
        "<recordset>", "<totalrecord>30</totalrecord><recordset>")
    [proxy] = hanweb.page_listing(COLUMN_URL, bare).requests
    assert proxy.form == {"webid": "3201", "path": "/", "columnid": "1229487437", "unitid": "4437391",
                          "webname": "桐溪县人民政府", "permissiontype": "0"}
    # 45 records a call (15 a page, 3 pages a group: the widget's defaults), never past the total
    assert dict(parse_qsl(urlsplit(proxy.url).query)) == {"startrecord": "4", "endrecord": "30", "perpage": "15"}


def test_hanweb_total_from_the_datastore_when_the_jpage_call_has_none():
    page = fixture("hanweb_column.html").replace("totalRecord: 8,", "").replace(
        "<recordset>", "<totalrecord>5</totalrecord><recordset>")
    [proxy] = hanweb.page_listing(COLUMN_URL, page).requests
    assert dict(parse_qsl(urlsplit(proxy.url).query)) == {"startrecord": "4", "endrecord": "5", "perpage": "1"}
    assert proxy.form["unitid"] == "4437391" and proxy.form["sourceContentType"] == "1"     # the call's own fields


def test_hanweb_column_whose_records_are_all_embedded_asks_nothing():
    page = fixture("hanweb_column.html").replace("totalRecord: 8", "totalRecord: 3")
    listing = hanweb.page_listing(COLUMN_URL, page)
    assert len(listing.entries) == 3 and not listing.requests


def test_hanweb_does_not_claim_other_pages():
    assert hanweb.page_listing("http://www.example.gov.cn/", "<html><body><a href='/a.html'>a</a></body></html>") is None


# ------------------------------------------------------------------ gkmlpt

GKMLPT_URL = "http://www.szfh.gov.cn/gkmlpt/index"


def test_gkmlpt_shell_asks_for_the_category_tree_with_its_site_id():
    listing = gkmlpt.page_listing(GKMLPT_URL, fixture("gkmlpt_index.html"))
    assert not listing.entries
    [tree] = listing.requests
    assert (tree.url, tree.method, tree.kind, tree.next_page) == (
        "http://www.szfh.gov.cn/gkmlpt/api/tree?sid=755033", "GET", "api", False)


def test_gkmlpt_tree_gives_the_most_specific_report_categories():
    [tree] = gkmlpt.page_listing(GKMLPT_URL, fixture("gkmlpt_index.html")).requests
    answer = platforms.read_listing(tree, fixture("gkmlpt_tree.json"))
    assert not answer.entries
    assert [r.url for r in answer.requests] == ["http://www.szfh.gov.cn/gkmlpt/api/all/21?page=1&sid=755033",
                                                "http://www.szfh.gov.cn/gkmlpt/api/all/22?page=1&sid=755033"]
    assert not any(r.next_page for r in answer.requests)


def test_gkmlpt_without_report_category_browses_the_catalogue_while_it_lists_reports():
    [tree] = gkmlpt.page_listing(GKMLPT_URL, fixture("gkmlpt_index.html")).requests
    answer = platforms.read_listing(tree, '[{"id": 5, "name": "政策文件", "children": []}]')
    [browse] = answer.requests
    assert browse.url.endswith("/gkmlpt/api/all/0?page=1&sid=755033") and browse.next_page


def test_gkmlpt_list_pages_until_the_total():
    [tree] = gkmlpt.page_listing(GKMLPT_URL, fixture("gkmlpt_index.html")).requests
    first = platforms.read_listing(tree, fixture("gkmlpt_tree.json")).requests[0]
    page1 = platforms.read_listing(first, fixture("gkmlpt_list.json"))
    assert titles(page1) == ["深圳市福华区人民政府2022年政府信息公开工作年度报告", "深圳市福华区人民政府2021年政府信息公开工作年度报告",
                             "图解：深圳市福华区2021年政府信息公开工作年度报告"]
    assert page1.entries[0].url == "http://www.szfh.gov.cn/gkmlpt/content/10/10123/post_10123456.html#21"
    [page2] = page1.requests
    assert page2.url == "http://www.szfh.gov.cn/gkmlpt/api/all/21?page=2&sid=755033" and page2.next_page
    page3 = platforms.read_listing(page2, fixture("gkmlpt_list.json")).requests[0]
    assert "page=3" in page3.url
    assert not platforms.read_listing(page3, fixture("gkmlpt_list.json")).requests      # 9 ≥ 7
    # the API's answer without the right sid: an empty list, and nothing further
    assert not platforms.read_listing(page2, '{"articles": [], "total": 0}')


def test_gkmlpt_needs_its_config():
    assert gkmlpt.page_listing(GKMLPT_URL, "<html><body><div id='app'></div></body></html>") is None


# ------------------------------------------------------------------ generic

PAGE_URL = "http://www.example.gov.cn/zwgk/ndbg/index.html"


def test_links_written_by_scripts():
    html = r"""<html><body><ul id="list"></ul><script>
    document.write("<li><a href=\"./202301/t20230118_1.html\" target=\"_blank\">某县2022年政府信息公开工作年度报告</a></li>");
    var s = '<li><a href=\'/zwgk/ndbg/202201/t20220120_2.html\' title=\'某县2021年政府信息公开工作年度报告\'>某县2021…</a></li>';
    </script></body></html>"""
    listing = generic.page_listing(PAGE_URL, html)
    assert [(e.url, e.title) for e in listing.entries] == [
        ("http://www.example.gov.cn/zwgk/ndbg/202301/t20230118_1.html", "某县2022年政府信息公开工作年度报告"),
        ("http://www.example.gov.cn/zwgk/ndbg/202201/t20220120_2.html", "某县2021年政府信息公开工作年度报告")]


def test_objects_and_trs_arrays_in_scripts():
    html = """<script>
    var list = [{title: '某县2022年政府信息公开工作年度报告', url: '/art/2023/1/18/art_1.html', date: '2023-01-18'},
                {"DOCTITLE": "某县教育局2022年政府信息公开工作年度报告", "DOCPUBURL": "http://www.example.gov.cn/art/2023/1/19/art_2.html"},
                {name: '\\u67d0\\u53bf\\u5e74\\u62a5', link: 'art_3.html'}];
    var urls = new Array(); var titles = new Array();
    urls[0] = './202101/t20210129_7.html'; titles[0] = '某县2020年政府信息公开工作年度报告';
    urls[1] = './202001/t20200130_8.html'; titles[1] = '某县2019年政府信息公开工作年度报告';
    var _hmt = {src: 'https://hm.baidu.com/hm.js?abc'};
    </script>"""
    entries = {e.url: e.title for e in generic.page_listing(PAGE_URL, html).entries}
    assert entries == {
        "http://www.example.gov.cn/art/2023/1/18/art_1.html": "某县2022年政府信息公开工作年度报告",
        "http://www.example.gov.cn/art/2023/1/19/art_2.html": "某县教育局2022年政府信息公开工作年度报告",
        "http://www.example.gov.cn/zwgk/ndbg/art_3.html": "某县年报",
        "http://www.example.gov.cn/zwgk/ndbg/202101/t20210129_7.html": "某县2020年政府信息公开工作年度报告",
        "http://www.example.gov.cn/zwgk/ndbg/202001/t20200130_8.html": "某县2019年政府信息公开工作年度报告"}


def test_trs_item_scripts_that_write_their_link_from_variables():
    item = """<li><script>
    var _title = "某县{0}年政府信息公开工作年度报告";
    var _url = "./{1}/t{1}18_{0}.html";
    document.write('<a href="' + _url + '" target="_blank" title="' + _title + '">' + _title + '</a>');
    </script><span>{1}</span></li>"""
    html = "<ul>" + item.format(2022, "202301") + item.format(2021, "202201") + "</ul>"
    assert [(e.url, e.title) for e in generic.page_listing(PAGE_URL, html).entries] == [
        ("http://www.example.gov.cn/zwgk/ndbg/202301/t20230118_2022.html", "某县2022年政府信息公开工作年度报告"),
        ("http://www.example.gov.cn/zwgk/ndbg/202201/t20220118_2021.html", "某县2021年政府信息公开工作年度报告")]


def test_links_behind_javascript_handlers():
    html = """<html><body><ul>
    <li><a href="javascript:openWin('/xxgk/ndbg/2022/art_5.html')">某局2022年政府信息公开工作年度报告</a></li>
    <li><a href="javascript:void(0)" onclick="window.open('http://www.example.gov.cn/xxgk/ndbg/2021/art_4.html','_blank')"
           title="某局2021年政府信息公开工作年度报告">某局2021年…</a></li>
    <li onclick="location.href='detail.jsp?id=77'"><span>某局2020年政府信息公开工作年度报告</span></li>
    <li><a href="javascript:void(0)" onclick="showTab(2)">栏目</a></li>
    <div onclick="location.href='/xxgk/'">""" + "政府信息公开工作年度报告专栏介绍。" * 20 + """</div>
    </ul></body></html>"""
    entries = [(e.url, e.title) for e in generic.page_listing(PAGE_URL, html).entries]
    assert entries == [("http://www.example.gov.cn/xxgk/ndbg/2022/art_5.html", "某局2022年政府信息公开工作年度报告"),
                       ("http://www.example.gov.cn/xxgk/ndbg/2021/art_4.html", "某局2021年政府信息公开工作年度报告"),
                       ("http://www.example.gov.cn/zwgk/ndbg/detail.jsp?id=77", "某局2020年政府信息公开工作年度报告")]


def test_json_jsonp_and_xml_list_answers():
    api = "http://www.example.gov.cn/api/list?channel=12"
    body = """{"code": 0, "data": {"total": 2, "list": [
        {"docId": 1, "docTitle": "某市2022年政府信息公开工作年度报告", "docUrl": "/xxgk/ndbg/202301/t20230118_1.html"},
        {"docId": 2, "title": "某市2021年政府信息公开工作年度报告", "url": "http://www.example.gov.cn/xxgk/ndbg/202201/t20220119_2.html",
         "summary": "<a href='/elsewhere.html'>more</a>"}]}}"""
    listing = platforms.data_listing(api, body)
    assert [(e.url, e.title) for e in listing.entries] == [
        ("http://www.example.gov.cn/xxgk/ndbg/202301/t20230118_1.html", "某市2022年政府信息公开工作年度报告"),
        ("http://www.example.gov.cn/xxgk/ndbg/202201/t20220119_2.html", "某市2021年政府信息公开工作年度报告"),
        ("http://www.example.gov.cn/elsewhere.html", "more")]
    jsonp = "jQuery1123({\"rows\": [{\"title\": \"某市年报\", \"link\": \"/a.html\"}]});"
    assert titles(platforms.data_listing(api, jsonp)) == ["某市年报"]
    xml = """<?xml version="1.0" encoding="UTF-8"?><rss><channel>
      <item><title>某市2022年政府信息公开工作年度报告</title><link>http://www.example.gov.cn/a/1.html</link></item>
      <item><title><![CDATA[某市2021年政府信息公开工作年度报告]]></title><link>/a/2.html</link></item></channel></rss>"""
    assert [(e.url, e.title) for e in platforms.data_listing(api, xml).entries] == [
        ("http://www.example.gov.cn/a/1.html", "某市2022年政府信息公开工作年度报告"),
        ("http://www.example.gov.cn/a/2.html", "某市2021年政府信息公开工作年度报告")]
    assert not platforms.data_listing(api, "not json <nor xml")


def test_data_answers_are_told_from_pages():
    assert platforms.is_data("application/json; charset=utf-8", b"{}")
    assert platforms.is_data("text/xml", b"<?xml version='1.0'?><datastore/>")
    assert platforms.is_data("text/plain", b'  [{"title": "x"}]')
    assert not platforms.is_data("text/html; charset=utf-8", b"<!DOCTYPE html><html></html>")
    assert not platforms.is_data("", b"<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml'><body/></html>")


# ------------------------------------------------------------------ all adapters together

def test_page_listing_merges_adapters_without_duplicates_and_entries_score_like_links():
    listing = platforms.page_listing(COLUMN_URL, fixture("hanweb_column.html"))
    assert listing.platforms == ["hanweb"]        # the generic reader found the same records: not counted
    urls = [e.url for e in listing.entries]
    assert len(urls) == len(set(urls)) == 3
    assert len(listing.requests) == 1
    scores = [link_score(e.url, e.title) for e in listing.entries]
    assert scores == [100, 100, 0]           # reports, and a 解读, which is not fetched


def test_list_request_key_tells_posts_apart():
    a = ListRequest("hanweb", "http://x.gov.cn/p?s=1", "proxy", "POST", {"columnid": "1"})
    b = ListRequest("hanweb", "http://x.gov.cn/p?s=1", "proxy", "POST", {"columnid": "2"})
    assert a.key != b.key
