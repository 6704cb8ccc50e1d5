"""When a page is worth rendering, and how the browser is set up (no browser is started here)."""
import os

from scrapy.settings import Settings

from crawler import render
from crawler import settings as defaults
from crawler.progress import format_crawl_summary

LIST_SHELL = "<html><body><ul id='list'></ul><script>build()</script></body></html>"


def test_only_list_pages_that_give_nothing_to_go_on_and_run_scripts_are_rendered():
    def unrendered(html, *args, **kwargs):
        return render.looks_unrendered(render.runs_scripts(html), *args, **kwargs)
    assert unrendered(LIST_SHELL, [50, 0], [0], arrived_score=80)
    assert not unrendered(LIST_SHELL, [100, 0], [100], arrived_score=80)         # it lists a report
    assert not unrendered(LIST_SHELL, [90], [], arrived_score=80)                # an attachment, even one already seen
    assert not unrendered("<html><body><ul></ul></body></html>", [], [], arrived_score=80)   # no script
    xml_only = "<html><body><script type='text/xml'><datastore/></script></body></html>"
    assert not unrendered(xml_only, [], [], arrived_score=80)
    # a disclosure page: only when it leads nowhere new in the disclosure section
    assert unrendered(LIST_SHELL, [50, 0], [0], arrived_score=50)                # its one link, to itself, seen
    assert not unrendered(LIST_SHELL, [50, 80], [80], arrived_score=50)          # a 年报 column to go to
    assert not unrendered(LIST_SHELL, [], [], arrived_score=30)
    # a start page: only when it leads nowhere at all
    assert unrendered(LIST_SHELL, [0, 0], [0, 0], arrived_score=None)
    assert not unrendered(LIST_SHELL, [50], [50], arrived_score=None)
    # an article reached from a 年报 list (a 解读, a news item) is not an empty list
    assert not unrendered(LIST_SHELL, [], [], arrived_score=80, titles=("某县2021年政府信息公开工作年度报告解读", ""))
    assert unrendered(LIST_SHELL, [], [], arrived_score=80, titles=("政府信息公开年报", "信息公开年报"))


def _settings(**values):
    s = Settings({k: getattr(defaults, k) for k in ("RENDER_JS", "RENDER_MAX_PAGES", "RENDER_TIMEOUT", "BROWSER_PATH")})
    s.setdict(values, priority="cmdline")
    return s


def test_reasons_not_to_render():
    assert render.unavailable_reason(_settings(RENDER_JS="off")) == "rendering is off (RENDER_JS=off)"
    assert render.unavailable_reason(_settings(RENDER_MAX_PAGES=0)) == "RENDER_MAX_PAGES is 0"
    assert render.unavailable_reason(_settings(BROWSER_PATH="/nonexistent/chromium")) == \
        "no Chromium at /nonexistent/chromium (BROWSER_PATH)"


def test_configure_hands_downloads_to_playwright_with_the_system_browser(tmp_path):
    browser = tmp_path / "chromium"
    browser.write_text("#!/bin/sh\n")
    os.chmod(browser, 0o755)
    s = _settings(BROWSER_PATH=str(browser), RESOLVE="www.a.test=127.0.0.1")
    render.configure(s)
    assert s.get("RENDER_UNAVAILABLE") == ""
    assert s.getdict("DOWNLOAD_HANDLERS")["https"] == "crawler.render_handler.LazyPlaywrightDownloadHandler"
    options = s.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
    assert options["executable_path"] == str(browser)
    assert {"--headless", "--no-sandbox", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-gpu"} <= set(options["args"])
    assert "--host-resolver-rules=MAP www.a.test 127.0.0.1" in options["args"]
    assert not any(a.startswith("--user-data-dir") for a in options["args"])     # Playwright makes a fresh one


def test_configure_without_browser_leaves_downloads_alone():
    s = _settings(BROWSER_PATH="/nonexistent/chromium")
    render.configure(s)
    assert "http" not in s.getdict("DOWNLOAD_HANDLERS")
    assert s.get("RENDER_UNAVAILABLE").startswith("no Chromium")


def test_summary_shows_requests_by_kind_and_what_rendering_skipped():
    stats = {"nianbao/portals": 2, "nianbao/pages_fetched": 12, "nianbao/reports_found": 3,
             "nianbao/requests/page": 8, "nianbao/requests/proxy": 2, "nianbao/requests/api": 2,
             "nianbao/platforms/hanweb": 1, "nianbao/render/skipped": 1,
             "nianbao/render/unavailable": "no Chromium at /usr/bin/chromium (BROWSER_PATH)"}
    out = format_crawl_summary(stats)
    assert "requests by kind       api 2, page 8, proxy 2" in out
    assert "list platforms         hanweb 1 (pages recognised)\n" in out
    assert "hanweb 1 (pages recognised); 2 list answer(s) empty" in format_crawl_summary({**stats, "nianbao/lists_empty": 2})
    assert "rendered in a browser  0 page(s); 1 page(s) that need JavaScript skipped: no Chromium at /usr/bin/chromium" in out
    assert "pages per report       4.0" in out
    quiet = format_crawl_summary({k: v for k, v in stats.items() if "render" not in k})
    assert "rendered in a browser" not in quiet
