"""A misspelled agency (沐阳县 for 沭阳县) merges with its correctly spelled reports; different
agencies never do (crawler.respell, applied by the store)."""
import pytest

from crawler import store
from crawler.items import ReportItem
from crawler.jobs import parse_item, reparse
from crawler.respell import find_respellings, place_edit, place_of
from tests.fixtures import HTML

SHUYANG = {"agency": "沭阳县人民政府", "region_code": "321322", "level": "county", "start_url": "http://www.shuyang.gov.test/"}
SUQIAN = {"agency": "宿迁市人民政府", "region_code": "321300", "level": "city", "start_url": "http://www.suqian.gov.test/"}
QINGYANG = {"agency": "青阳县人民政府", "region_code": "341723", "level": "county", "start_url": "http://www.qingyang.gov.test/"}
QINGTIAN = {"agency": "青田县人民政府", "region_code": "331121", "level": "county", "start_url": "http://www.qingtian.gov.test/"}
COUNTY_PAGE = (HTML / "county_2020_rowspan.html").read_text(encoding="utf-8")


def page_of(agency: str, year: int = 2020) -> bytes:
    """The county fixture as `agency`'s report of `year` (title, 发布机构, site and prose)."""
    return COUNTY_PAGE.replace("青阳县人民政府", agency).replace("2020年", f"{year}年").encode("utf-8")


def save(db, portal, agency, url, year=2020):
    it = ReportItem(url=url, body=page_of(agency, year), headers={}, content_type="text/html", portal=portal)
    return store.store_fetch(db, it, parse_item(it))


@pytest.fixture
def db(tmp_path):
    return store.open_db(tmp_path / "reports.db")


def reports(db):
    return sorted((r["agency"], r["year"], r["versions"]) for r in db.query("SELECT agency, year, versions FROM reports"))


def flag_details(db, code):
    return [r["detail"] for r in db.query("SELECT detail FROM flags WHERE code = ?", [code])]


@pytest.mark.parametrize("order", [("沭阳县教育局", "沐阳县教育局"), ("沐阳县教育局", "沭阳县教育局")])
def test_misspelled_report_merges_with_the_correct_one_of_the_same_year(db, order):
    for n, agency in enumerate(order):
        save(db, SHUYANG, agency, f"http://www.shuyang.gov.test/{n}.html")
    assert reports(db) == [("沭阳县教育局", 2020, 2)]
    report = next(db.query("SELECT * FROM reports"))
    assert report["agency_key"] == "沭阳县教育局"
    assert report["best_url"].endswith(f"/{order.index('沭阳县教育局')}.html")     # the correct copy is shown
    [detail] = flag_details(db, "agency_respelled")
    assert "printed 沐阳县教育局, merged with 沭阳县教育局: the portal's agency is 沭阳县人民政府" in detail
    printed = [r["agency_raw"] for r in db.query("SELECT parsed->>'agency_raw' AS agency_raw FROM sources ORDER BY id")]
    assert sorted(printed) == ["沐阳县教育局", "沭阳县教育局"]     # the printed name is kept


def test_misspelled_report_of_another_year_joins_the_agency(db):
    save(db, SHUYANG, "沭阳县教育局", "http://www.shuyang.gov.test/a.html", 2020)
    save(db, SHUYANG, "沭县教育局", "http://www.shuyang.gov.test/b.html", 2021)      # a dropped character
    assert reports(db) == [("沭阳县教育局", 2020, 1), ("沭阳县教育局", 2021, 1)]
    assert {r["agency_key"] for r in db.query("SELECT agency_key FROM reports")} == {"沭阳县教育局"}


def test_the_spelling_printed_more_often_wins_on_a_portal_of_another_place(db):
    save(db, SUQIAN, "沭阳县公安局", "http://www.suqian.gov.test/a.html", 2019)
    save(db, SUQIAN, "沐阳县公安局", "http://www.suqian.gov.test/b.html", 2020)
    assert reports(db) == [("沐阳县公安局", 2020, 1), ("沭阳县公安局", 2019, 1)]      # one each: no evidence yet
    save(db, SUQIAN, "沭阳县公安局", "http://www.suqian.gov.test/c.html", 2020)
    assert reports(db) == [("沭阳县公安局", 2019, 1), ("沭阳县公安局", 2020, 2)]
    [detail] = flag_details(db, "agency_respelled")
    assert "沭阳县公安局 is printed by 2 sources on the portal, 沐阳县公安局 by 1" in detail


def test_different_agencies_stay_apart(db):
    save(db, SHUYANG, "沭阳县教育局", "http://www.shuyang.gov.test/a.html")
    save(db, SHUYANG, "沭阳县公安局", "http://www.shuyang.gov.test/b.html")
    save(db, QINGYANG, "青阳县人民政府", "http://www.qingyang.gov.test/a.html")
    save(db, QINGTIAN, "青田县人民政府", "http://www.qingtian.gov.test/a.html")
    # a report of another real county found on this portal: 青田县 is a crawled portal's place
    save(db, QINGYANG, "青田县教育局", "http://www.qingyang.gov.test/b.html")
    assert reports(db) == [("沭阳县公安局", 2020, 1), ("沭阳县教育局", 2020, 1), ("青田县人民政府", 2020, 1),
                           ("青田县教育局", 2020, 1), ("青阳县人民政府", 2020, 1)]
    assert flag_details(db, "agency_respelled") == []


def test_reparse_keeps_the_merge(db):
    save(db, SHUYANG, "沭阳县教育局", "http://www.shuyang.gov.test/a.html")
    save(db, SHUYANG, "沐阳县教育局", "http://www.shuyang.gov.test/b.html")
    reparse(db)
    assert reports(db) == [("沭阳县教育局", 2020, 2)]
    assert len(flag_details(db, "agency_respelled")) == 1


def test_place_edits():
    assert place_of("宿迁市沭阳县教育局") == "宿迁市沭阳县" and place_of("市科委") == "" and place_of("青阳县城市管理局") == "青阳县"
    assert place_edit("沐阳县教育局", "沭阳县教育局") == (0, 1)
    assert place_edit("沭县教育局", "沭阳县教育局") == (1, 2)
    for printed, other in [("沭阳县公安局", "沭阳县教育局"), ("市科委", "市科协"), ("沭阳县科委", "沭阳县科协"),
                           ("青阳县", "青阳县县"), ("沐阳县教育局", "沭阳县教育")]:
        assert place_edit(printed, other) is None, (printed, other)


def test_rules_need_evidence():
    # equal counts and no portal to vouch for either spelling: left apart
    assert find_respellings({"沭阳县公安局": 1, "沐阳县公安局": 1}, "宿迁市人民政府") == []
    # a place printed with two different bodies is written so on purpose (吴中区 beside 吴江区)
    names = {"苏州市吴江区教育局": 5, "苏州市吴中区教育局": 1, "苏州市吴中区公安局": 1}
    assert find_respellings(names, "苏州市人民政府") == []
    assert find_respellings({"吴中区教育局": 1, "吴中区公安局": 1}, "吴江区人民政府") == []
    # a place known to be real never counts as a misspelling
    assert find_respellings({"青田县教育局": 1}, "青阳县人民政府", known_places={"青田县"}) == []
    [match] = find_respellings({"青田县教育局": 1}, "青阳县人民政府")
    assert (match.printed, match.correct) == ("青田县教育局", "青阳县教育局")
