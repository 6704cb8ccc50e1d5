"""The demo's list-platform portals crawled for real through demo/server.py: a Hanweb county behind
its data proxy, a GKMLPT catalogue behind its JSON API, and a list only JavaScript writes."""
import re
from collections import Counter
from urllib.parse import urlsplit

import pytest
import sqlite_utils

from tests.conftest import crawl
from tests.fixtures import EXPECTED
from tests.test_crawl_integration import FOUND, RENDERS

HANWEB, GKMLPT, JS_ONLY = "www.baishui.gov.test", "www.songhu.gov.test", "www.yunxi.gov.test"


def host_of(url):
    return urlsplit(url).hostname


def found_on(db, host):
    rows = sqlite_utils.Database(db).query("SELECT agency, year, best_url FROM reports")
    return {(r["agency"], r["year"]) for r in rows if host_of(r["best_url"]) == host}


def expected_on(host):
    return {(e["agency"], e["year"]) for e in FOUND if host_of(e["url"]) == host}


def paths(first_crawl, host):
    return [p for h, p, _ in first_crawl["requests"] if h == host and p != "/robots.txt"]


def test_hanweb_records_behind_the_data_proxy_are_found(first_crawl):
    assert found_on(first_crawl["db"], HANWEB) == expected_on(HANWEB) and len(expected_on(HANWEB)) == 10
    proxy = [p for p in paths(first_crawl, HANWEB) if p.startswith("/module/web/jpage/dataproxy.jsp")]
    # records 11-20 and 21-24 of the report column; the home page's 300 news records are never paged
    assert sorted(proxy) == ["/module/web/jpage/dataproxy.jsp?startrecord=11&endrecord=20&perpage=5",
                             "/module/web/jpage/dataproxy.jsp?startrecord=21&endrecord=24&perpage=5"]
    assert not [p for p in paths(first_crawl, HANWEB) if "/art_1002_" in p]     # news


def test_no_lookalike_is_stored(first_crawl):
    db = sqlite_utils.Database(first_crawl["db"])
    stored = {r["url"] for r in db.query("SELECT url FROM sources")}
    for host in (HANWEB, GKMLPT, JS_ONLY):
        expected_urls = {urlsplit(e["url"]).path for e in FOUND if host_of(e["url"]) == host}
        on_host = {urlsplit(u).path for u in stored if host_of(u) == host}
        assert on_host - expected_urls <= {"/art/2023/1/18/art_1229_10_2.html"}, host     # page 2 of a split report


def test_split_report_whose_first_page_ends_before_table_three_keeps_both_pages(first_crawl):
    db = sqlite_utils.Database(first_crawl["db"])
    [report] = db.query("SELECT * FROM reports WHERE agency = '白水县财政局' AND year = 2022")
    parts = list(db.query("SELECT part, url FROM sources WHERE report_id = ? ORDER BY part", [report["id"]]))
    assert [(p["part"], urlsplit(p["url"]).path) for p in parts] == [
        (0, "/art/2023/1/18/art_1229_10.html"), (1, "/art/2023/1/18/art_1229_10_2.html")]
    assert report["flag_count"] == 0      # table 二 (page 1) and table 三 (page 2) both read


def test_gkmlpt_catalogue_is_read_through_its_api_with_the_site_id(first_crawl):
    assert found_on(first_crawl["db"], GKMLPT) == expected_on(GKMLPT) and len(expected_on(GKMLPT)) == 9
    api = sorted(p for p in paths(first_crawl, GKMLPT) if p.startswith("/gkmlpt/api/"))
    assert api == ["/gkmlpt/api/all/12?page=1&sid=755031", "/gkmlpt/api/all/12?page=2&sid=755031",
                   "/gkmlpt/api/all/13?page=1&sid=755031", "/gkmlpt/api/tree?sid=755031"]


def test_at_most_four_requests_per_report_on_platform_portals(first_crawl):
    for host in (HANWEB, GKMLPT) + ((JS_ONLY,) if RENDERS else ()):
        assert len(paths(first_crawl, host)) <= 4 * len(expected_on(host)), host


def test_summary_counts_requests_by_kind_and_platforms(first_crawl):
    out = first_crawl["stdout"]
    kinds = dict((k, int(v)) for k, v in re.findall(r"(\w+) (\d+)", re.search(r"requests by kind\s+(.*)", out).group(1)))
    assert kinds["proxy"] == 2 and kinds["api"] == 4 and kinds["continuation"] == 2
    assert kinds.get("rendered", 0) == (1 if RENDERS else 0)
    pages = int(re.search(r"pages fetched\s+(\d+)", out).group(1))
    assert sum(kinds.values()) == pages
    platforms = re.search(r"list platforms\s+(.*)", out).group(1)
    assert "gkmlpt 1" in platforms and "hanweb 2" in platforms


@pytest.mark.skipif(not RENDERS, reason="Chromium not installed at BROWSER_PATH (make test installs it with apt-get as root)")
def test_javascript_only_list_is_rendered_in_the_system_chromium(first_crawl):
    assert found_on(first_crawl["db"], JS_ONLY) == {(e["agency"], e["year"]) for e in EXPECTED if e.get("needs_browser")}
    assert re.search(r"rendered in a browser\s+1 page\(s\)\n", first_crawl["stdout"])
    # the page's statistics beacon to another host was stopped inside the browser
    assert not [h for h, _, _ in first_crawl["requests"] if h == "hm.tongji.test"]
    assert Counter(paths(first_crawl, JS_ONLY))["/zwgk/ndbg/index.html"] == 2       # fetched, then rendered


def test_without_a_browser_everything_else_is_crawled_and_the_skip_is_said(server, tmp_path):
    port = server.server_port
    start = len(server.requests)
    out = crawl(server, tmp_path / "nobrowser.db", "-a", f"start_urls=http://{JS_ONLY}:{port}/,http://{HANWEB}:{port}/",
                "-s", "BROWSER_PATH=/nonexistent/chromium")
    assert re.search(r"rendered in a browser\s+0 page\(s\); 1 page\(s\) that need JavaScript skipped: "
                     r"no Chromium at /nonexistent/chromium \(BROWSER_PATH\)", out)
    assert found_on(tmp_path / "nobrowser.db", HANWEB) == expected_on(HANWEB)
    assert not found_on(tmp_path / "nobrowser.db", JS_ONLY)
    assert Counter(h for h, p, _ in server.requests[start:])[JS_ONLY] == 4      # robots, /, /zwgk/, the list: once (not 指南)


def test_render_budget_per_portal(server, tmp_path):
    port = server.server_port
    out = crawl(server, tmp_path / "norender.db", "-a", f"start_urls=http://{JS_ONLY}:{port}/", "-s", "RENDER_MAX_PAGES=0")
    assert "RENDER_MAX_PAGES is 0" in out
    assert not found_on(tmp_path / "norender.db", JS_ONLY)
