"""A report of a body whose kind the agency check did not know (青阳县广播电视台 on the county
portal of bench/big_portal.py) keeps its own agency: never the site's, never merged into the
county government's report."""
from crawler import store
from crawler.items import ReportItem
from crawler.jobs import parse_item
from crawler.report import parse_report
from tests.fixtures import HTML

PORTAL = {"agency": "青阳县人民政府", "region_code": "341723", "level": "county", "start_url": "http://www.qingyang.gov.test/"}
BROADCASTER = (HTML / "broadcaster_2022.html").read_bytes()


def codes(report):
    return [f["code"] for f in report["flags"]]


def test_broadcaster_report_names_its_own_agency():
    report = parse_report(BROADCASTER, url="http://www.qingyang.gov.test/xxgk/bm/a007/nb/t20230118_1.html",
                          content_type="text/html", agency_hint="青阳县人民政府")
    assert (report["agency"], report["agency_raw"], report["year"]) == ("青阳县广播电视台", "青阳县广播电视台", 2022)
    assert report["agency_key"] == "青阳县广播电视台"
    assert "agency_suspect" not in codes(report)


def test_body_of_an_unknown_kind_keeps_its_printed_name_not_the_site_s():
    page = BROADCASTER.decode("utf-8").replace("青阳县广播电视台", "青阳县自来水厂").encode("utf-8")
    report = parse_report(page, content_type="text/html", agency_hint="青阳县人民政府")
    assert report["agency"] == "青阳县自来水厂"
    [detail] = [f["detail"] for f in report["flags"] if f["code"] == "agency_suspect"]
    assert "not a known kind of government body" in detail and "青阳县人民政府" in detail


def test_broadcaster_and_county_government_stay_two_reports(tmp_path):
    db = store.open_db(tmp_path / "reports.db")
    government = BROADCASTER.decode("utf-8").replace("青阳县广播电视台", "青阳县人民政府").encode("utf-8")
    for n, body in enumerate((government, BROADCASTER)):
        item = ReportItem(url=f"http://www.qingyang.gov.test/{n}.html", body=body, headers={}, content_type="text/html",
                          portal=PORTAL)
        store.store_fetch(db, item, parse_item(item))
    rows = sorted((r["agency"], r["year"], r["versions"]) for r in db.query("SELECT agency, year, versions FROM reports"))
    assert rows == [("青阳县人民政府", 2022, 1), ("青阳县广播电视台", 2022, 1)]


def test_real_bodies_of_other_kinds_are_plausible_agencies():
    from crawler.identify import is_plausible_agency
    for name in ("中国人民银行杭州中心支行", "中国人民银行上海分行", "青阳县第一中学", "青阳县实验小学", "青阳县公路管理段",
                 "安徽省气象台", "青阳县人民政府研究室", "新疆生产建设兵团"):
        assert is_plausible_agency(name), name
    for name in ("六合彩资料大全", "青阳县2022年度报告", "首页"):
        assert not is_plausible_agency(name), name
