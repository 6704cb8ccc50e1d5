"""The report page as printed and the dashboards, on the demo crawl's database, in Debian's headless
Chromium driven by playwright (executable_path: no browser download). Screenshots go to output/screenshots/."""
import json
import shutil
import subprocess
import sys
import time
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlite_utils

from crawler.demo import free_port
from tests.fixtures import ROOT

SCREENSHOTS = ROOT / "output" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# as the machine's notes say: without the background-networking flags Chromium tries to reach Google's hosts
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium not installed (make test installs it with apt-get as root)")


@pytest.fixture(scope="module")
def site(first_crawl):
    """datasette as `make browse` starts it: the project's metadata and plugins."""
    port = free_port(0)
    db = first_crawl["db"]
    process = subprocess.Popen([sys.executable, "-m", "datasette", "serve", str(db), "--port", str(port),
                                "--metadata", str(ROOT / "crawler" / "datasette.json"),
                                "--plugins-dir", str(ROOT / "crawler" / "datasette_plugins"), "--immutable", str(db)],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(url + "/-/versions.json", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    yield {"url": url, "db": sqlite_utils.Database(db)}
    process.terminate()
    process.wait(10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, site):
    context = browser.new_context(viewport={"width": 1300, "height": 1200})
    page = context.new_page()
    outside, errors = [], []
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: None if r.url.startswith(site["url"]) or r.url.startswith("data:") else outside.append(r.url))
    yield page
    context.close()
    # nothing on these pages loads from the internet (vega comes with the plugin)
    assert outside == []
    # every chart's query ran (datasette answers 400 to a query over its time limit)
    assert errors == []


def report_id(db, agency, year):
    return next(db.query("SELECT id FROM reports WHERE agency = ? AND year = ?", [agency, year]))["id"]


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
    assert (SCREENSHOTS / name).stat().st_size > 10_000


def test_reports_table_links_to_the_printed_page(page, site):
    page.goto(f"{site['url']}/reports/reports?_sort=id")
    link = page.locator("a.printed-report", has_text="东坡区人民政府2020年政府信息公开工作年度报告")
    link.click()
    page.wait_for_load_state()
    assert page.url == f"{site['url']}/-/nianbao/report/{report_id(site['db'], '东坡区人民政府', 2020)}"
    assert page.locator("h1").inner_text() == "东坡区人民政府2020年政府信息公开工作年度报告"


def test_report_page_as_printed_with_flags_versions_and_series(page, site):
    rid = report_id(site["db"], "东坡区人民政府", 2020)
    page.goto(f"{site['url']}/-/nianbao/report/{rid}")
    meta = page.locator("table.meta").inner_text()
    assert "2021-03-02" in meta and "district / 511402" in meta and "2019" in meta
    # table 二 in the 2019 template's layout
    active = page.locator("#table-active")
    assert active.locator("tr.section th").all_inner_texts() == ["第二十条第(一)项", "第二十条第(五)项", "第二十条第(六)项",
                                                                 "第二十条第(八)项", "第二十条第(九)项"]
    assert "本年新制作数量" in active.inner_text() and "采购总金额(单位:万元)" in active.inner_text()
    # table 三: the figures of the version shown, the cells the other version prints differently flagged
    cell = page.locator('#table-applications td[data-cell="applications.new_received.natural_person"]')
    assert cell.inner_text().startswith("36") and "flagged" in cell.get_attribute("class")
    stored = {(c["row"], c["column"]): c["value"] for c in site["db"].query(
        "SELECT row, \"column\", value FROM cells WHERE report_id = ? AND \"table\" = 'applications'", [rid])}
    for td in page.locator("#table-applications td[data-cell]").all():
        _, row, column = td.get_attribute("data-cell").split(".")
        shown = td.inner_text().split("\n")[0]
        value = stored.get((row, column))
        assert shown.rstrip("0123456789") == "" or shown == ""
        assert (int(shown[:len(str(int(value)))]) if value is not None else None) == (int(value) if value is not None else None)
    assert page.locator("#table-applications").inner_text().count("不予公开") == 1
    flags = page.locator("li.flag").all_inner_texts()
    assert any("conflicting_versions" in f and "6 cells differ" in f for f in flags)
    assert any("published_late" in f and "published 2021-03-02" in f for f in flags)
    # the other version and its differences
    version = page.locator("div.version")
    assert "qzf2020.html" in version.locator("a").first.inner_text()
    assert "三 一、本年新收政府信息公开申请数量 · 自然人\t36\t34" in version.locator("table.differences").inner_text()
    # the agency's series: the agency dashboard's charts, drawn
    frames = page.locator("iframe.series")
    assert frames.count() == 3
    for n in range(3):
        frames.nth(n).scroll_into_view_if_needed()      # an offscreen frame may not be drawn
        frame = frames.nth(n).element_handle().content_frame()
        assert "agency_key=%E4%B8%9C%E5%9D%A1%E5%8C%BA%E4%BA%BA%E6%B0%91%E6%94%BF%E5%BA%9C" in frame.url    # 东坡区人民政府
        frame.wait_for_function("document.querySelectorAll('.vega-embed canvas, .vega-embed svg').length > 0", timeout=30_000)
    screenshot(page, "report_page.png")
    # the source as fetched, with its scripts sandboxed, and the original URL
    fetched = page.locator("a.as-fetched").get_attribute("href")
    response = page.request.get(site["url"] + fetched)
    assert response.ok and "sandbox" in response.headers["content-security-policy"]
    assert "东坡区人民政府2020年政府信息公开工作年度报告" in response.text()
    assert page.locator("a.original").get_attribute("href").endswith("/xxgk/ndbg/qzf2020_xg.html")


def test_balance_mismatch_cells_are_highlighted_with_the_detail_beside_the_table(page, site):
    rid = report_id(site["db"], "临江市生态环境局", 2022)
    page.goto(f"{site['url']}/-/nianbao/report/{rid}")
    flagged = {td.get_attribute("data-cell") for td in page.locator("#table-applications td.flagged").all()}
    details = page.locator("#table-applications + ul.flaglist").inner_text()
    codes = [f["detail"] for f in site["db"].query("SELECT detail FROM flags WHERE report_id = ? AND code = 'balance_mismatch'", [rid])]
    assert codes and all(d in details for d in codes)
    ids = {str(f["id"]) for f in site["db"].query("SELECT id FROM flags WHERE report_id = ?", [rid])}
    links = page.locator("li.flag a.review").all()
    assert {a.get_attribute("href").rsplit("flag_id=", 1)[1] for a in links} == ids       # each flag can be reviewed
    columns = {d.split(":")[0] for d in codes}
    assert flagged == {f"applications.{row}.{column}" for row in ("new_received", "carried_over", "total_handled", "carried_forward")
                       for column in columns}
    screenshot(page, "report_page_balance.png")


def chart_data(page, url):
    """Open a dashboard and collect the rows each chart was drawn from."""
    responses = []
    # only keep them here: reading a body inside the event handler would block playwright's event loop
    page.on("response", lambda response: responses.append(response) if ".json?sql=" in response.url else None)
    page.goto(url)
    page.wait_for_function("document.querySelectorAll('.vega-embed canvas, .vega-embed svg, .dashboard-card table').length >= 4",
                           timeout=30_000)
    return {parse_qs(urlsplit(r.url).query)["sql"][0]: r.json()["rows"] for r in responses}


def test_dashboard_draws_every_chart_from_the_dataset(page, site):
    rows = chart_data(page, f"{site['url']}/-/dashboards/overview")
    assert "政府信息公开年报数据概览" in page.locator("h1").inner_text()
    for name in ("region", "level", "year"):
        assert page.locator(f"select[name={name}], input[name={name}]").count() == 1
    by_query = {sql.split(" FROM ")[0]: data for sql, data in rows.items()}
    per_year = next(d for s, d in by_query.items() if "count(*) AS reports" in s)
    stored = site["db"]["reports"].count
    assert sum(r["reports"] for r in per_year) == stored
    by_year_level = {(r["year"], r["level"], r["n"]) for r in site["db"].query(
        "SELECT year, level, count(*) AS n FROM reports GROUP BY year, level")}
    assert {(r["year"], r["level"], r["reports"]) for r in per_year} == by_year_level
    assert (2020, "street", 1) in by_year_level
    shares = next(d for s, d in by_query.items() if "f.code" in s)
    assert {r["code"]: r["share"] for r in shares}["spam_injection"] == round(100 / stored, 1)
    applications = next(d for sql, d in rows.items() if "AS applicant" in sql)
    db_total = next(site["db"].query("SELECT sum(new_received) AS n FROM agency_series"))["n"]
    assert sum(r["applications"] or 0 for r in applications) == db_total   # the six applicant types add up to the totals
    late = next(d for s, d in by_query.items() if "share_late" in s)
    flagged_late = {r["year"]: r["n"] for r in site["db"].query(
        "SELECT r.year, count(DISTINCT f.report_id) AS n FROM reports r LEFT JOIN flags f ON f.report_id = r.id "
        "AND f.code = 'published_late' GROUP BY r.year")}
    assert {r["year"]: r["late"] for r in late} == flagged_late and sum(flagged_late.values()) >= 2
    screenshot(page, "dashboard.png")


def test_dashboard_filters_by_year_and_region(page, site):
    rows = chart_data(page, f"{site['url']}/-/dashboards/overview?year=2021&region=3417")
    per_year = next(d for sql, d in rows.items() if "count(*) AS reports" in sql)
    assert [(r["year"], r["level"], r["reports"]) for r in per_year] == [(2021, "county", 2)]
    assert page.locator("select[name=year]").input_value() == "2021"
    screenshot(page, "dashboard_filtered.png")


def test_agency_dashboard_is_the_series(page, site):
    rows = chart_data(page, f"{site['url']}/-/dashboards/agency?agency_key=" + "青阳县人民政府")
    series = next(d for sql, d in rows.items() if "新收申请" in sql)
    expected = [r["new_received"] for r in site["db"].query(
        "SELECT new_received FROM agency_series WHERE agency_key = '青阳县人民政府' ORDER BY year")]
    assert [r["year"] for r in series] == [2019, 2020, 2021, 2022] and [r["新收申请"] for r in series] == expected
    assert json.dumps(series, ensure_ascii=False).count("青阳县") == 0      # one agency, so no name column needed
