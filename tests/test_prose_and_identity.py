"""Prose checks on more phrasings, dates the report prints itself, agencies as real reports name them."""
import pytest

from crawler.identify import document_date, find_title, is_plausible_agency, signature_agency
from crawler.spam import find_spam, strip_spam
from crawler.validate import validate


def report_with(received=17, reviews=1, suits=(1, 0), year=2023):
    rows = {"new_received": {"total": received}, "carried_over": {"total": 2}}
    appeals = {"review": {"total": reviews}, "suit_direct": {"total": suits[0]}, "suit_after_review": {"total": suits[1]}}
    return {"year": year, "template": "2021", "published": None, "applications": rows, "appeals": appeals}


def narrative(report, prose):
    return [f["detail"] for f in validate(report, prose) if f["code"] == "narrative_mismatch"]


@pytest.mark.parametrize("prose", [
    "2023年全年受理政府信息公开申请17件。",
    "全区接收通过邮寄、网络提交的各类政府信息公开申请共计17件，涉及自然人16件。",
    "全年收到政府信息公开申请 17 件，上年结转 2 件。",
    "共收到政府信息公开申请19件（含上年结转2件）。",
])
def test_received_phrasings_that_agree_raise_nothing(prose):
    assert narrative(report_with(), prose) == []


@pytest.mark.parametrize("prose,detail", [
    ("全年受理政府信息公开申请18件。", "text says 18 applications received, table 三 new_received total is 17"),
    ("全年共收到各类政府信息公开申请 25 件（含网上申请 9 件）。", "text says 25 applications received, table 三 new_received total is 17"),
    ("发生政府信息公开行政复议 3 起。", "text says 3 administrative reviews, table 四 review total is 1"),
    ("行政诉讼案件4件。", "text says 4 lawsuits, table 四 lawsuits total 1"),
])
def test_received_phrasings_that_disagree_are_flagged(prose, detail):
    assert narrative(report_with(), prose) == [detail]


@pytest.mark.parametrize("prose", ["2022年受理政府信息公开申请30件。", "受理政府信息公开申请数量同比增长30件。",
                                   "较上年受理政府信息公开申请增加5件。"])
def test_sentences_about_other_years_or_comparisons_are_not_used(prose):
    assert narrative(report_with(), prose) == []


def test_dates_the_report_prints_itself():
    text = "临江市发改委2023年政府信息公开工作年度报告\n（2024 年 1 月 22 日）\n一、总体情况\n统计期限自2023年1月1日起至2023年12月31日止。"
    assert document_date(text, 2023) == "2024-01-22"
    signed = "一、总体情况\n……\n六、其他需要报告的事项\n无。\n洪泽区人民政府办公室\n2024年1月17日"
    assert document_date(signed, 2023) == "2024-01-17"
    assert signature_agency(signed) == "洪泽区人民政府办公室"
    # a period's end, the crawl time and dates of the report year itself are never the publication date
    assert document_date("采集时间:2024-05-02 10:31:07\n统计至\n2023年12月31日\n", 2023) is None


@pytest.mark.parametrize("name", ["上海市科委", "平潭综合实验区", "平潭综合实验区管委会", "苏州工业园区管委会", "瀛洲街道办事处", "南京海关", "塞罕坝机械林场",
                                  "临江市发改委", "青阳经济开发区管委会", "雄安新区管理委员会"])
def test_real_bodies_are_plausible_agencies(name):
    assert is_plausible_agency(name)


def test_title_broken_over_two_lines_with_spaces_in_the_year():
    title, agency, year = find_title("正文\n2024 年上海市科委政府信息公开工作\n年度报告\n根据《条例》")
    assert (agency, year) == ("上海市科委", 2024)
    assert find_title("标题: 平潭综合实验区2023年度政府信息公开工作年度报告\n发布时间: 2024-03-08")[1] == "平潭综合实验区"


@pytest.mark.parametrize("spam", ["香港六合彩资料大全", "新澳门精准资料大全免费", "澳门六合彩开奖结果", "管家婆一码一肖"])
def test_lottery_spam_is_found_and_removed(spam):
    assert find_spam(f"{spam}2022年度政府信息公开工作年度报告") == [spam]
    assert strip_spam(f"2022年，{spam}认真贯彻") == "2022年，认真贯彻"


@pytest.mark.parametrize("text", ["我局依法打击六合彩赌博活动", "福利彩票开奖现场监督", "澳门回归纪念日", "香港特别行政区"])
def test_reports_that_talk_about_lotteries_are_not_spam(text):
    assert find_spam(text) == []


@pytest.mark.parametrize("header,published", [
    ("时间：2024-01-20 来源：市政府", "2024-01-20"),
    ("信息来源:区政府 | 时间:2023年1月16日", "2023-01-16"),
    ("采集时间：2024-05-02 10:31:07", None),
    ("页面生成时间：2024-03-02 08:11 时间：2024-01-19", "2024-01-19"),
])
def test_a_bare_time_label_is_the_publication_date_but_never_the_crawl_time(header, published):
    from crawler.identify import page_metadata
    assert page_metadata(header).get("published") == published
