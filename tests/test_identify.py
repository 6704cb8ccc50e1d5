"""Who published the report, for which year: titles, metadata, first sentences, spam in the title."""

from crawler.identify import agency_in_body, canonical_agency, find_title, is_plausible_agency, page_metadata
from crawler.report import parse_report
from tests.fixtures import SAMPLES
from tests.fixtures.text_cases import one_cell_per_line


def test_spam_in_title_agency_recovered_from_metadata():
    text = (SAMPLES / "002_df1cbcf456d1d70c.txt").read_text().replace(
        "新洲区科经局2021年度政府信息公开工作年度报告", "立博官网2021年度政府信息公开工作年度报告", 1)
    r = parse_report(text.encode())
    assert r["agency"] == "新洲区科经局"
    assert r["agency_raw"] == "立博官网"
    assert {"spam_injection", "agency_suspect"} <= {f["code"] for f in r["flags"]}


def test_spam_in_title_and_no_other_source_gives_null_agency():
    text = (SAMPLES / "000_8000bc9f9e439cef.txt").read_text().replace("瀛洲街道办事处\n2020年", "立博平台2020年", 1)
    r = parse_report(text.encode())
    assert r["agency"] is None
    assert any(f["code"] == "agency_suspect" for f in r["flags"])


def test_identity_helpers():
    assert find_title("2020年青阳县人民政府政府信息公开工作年度报告")[1:] == ("青阳县人民政府", 2020)
    assert find_title("关于印发2020年度政府信息公开工作年度报告的通知") == (None, None, None)
    assert is_plausible_agency("瀛洲街道办事处") and not is_plausible_agency("立博官网")
    assert canonical_agency("盘山 县政府办") == canonical_agency("盘山县人民政府办公室") == "盘山县人民政府办公室"
    assert canonical_agency("盘山县政府办公室") == canonical_agency("盘山县人民政府办") == "盘山县人民政府办公室"
    assert canonical_agency("辽宁省政府办公厅") == "辽宁省人民政府办公厅"
    assert canonical_agency("青阳县政府") == "青阳县人民政府" != canonical_agency("青阳县政府办")


def test_title_variants():
    assert find_title("青阳县人民政府关于2020年政府信息公开工作的年度报告")[1:] == ("青阳县人民政府", 2020)
    assert find_title("《青阳县教育局2019年度政府信息公开工作报告》")[1:] == ("青阳县教育局", 2019)
    assert find_title("2021年度青阳县财政局政府信息公开工作年度报告")[1:] == ("青阳县财政局", 2021)
    assert find_title("临江市生态环境局2021年政务公开工作年度报告")[1:] == ("临江市生态环境局", 2021)


def test_agency_missing_from_title_is_read_from_the_first_sentence():
    body = "2020年政府信息公开工作年度报告\n一、总体情况\n2020年，东坡区司法局认真贯彻落实条例。\n" + one_cell_per_line()
    r = parse_report(body.encode())
    assert (r["agency"], r["agency_raw"]) == ("东坡区司法局", None)
    assert "agency_suspect" not in {f["code"] for f in r["flags"]}


def test_agency_taken_from_the_site_name_is_marked_suspect():
    html = ("<html><head><meta name='SiteName' content='东坡区人民政府门户网站'></head><body><h1>2020年政府信息公开工作年度报告</h1>"
            "<p>一、总体情况</p><p>全年工作有序开展。</p><pre>" + one_cell_per_line() + "</pre></body></html>")
    r = parse_report(html.encode())
    assert r["agency"] == "东坡区人民政府"
    assert ("agency_suspect", "no agency in the title; taken from the site name") in [(f["code"], f["detail"]) for f in r["flags"]]


def test_year_and_agency_from_the_overview_when_the_title_has_neither():
    body = "政府信息公开工作年度报告\n一、总体情况\n2020年，东坡区司法局认真贯彻落实条例。\n" + one_cell_per_line()
    r = parse_report(body.encode())
    assert (r["agency"], r["year"], r["template"]) == ("东坡区司法局", 2020, "2019")


def test_published_from_a_bare_date_label_or_an_info_line_never_a_clock_or_update_time():
    from crawler.identify import page_metadata
    assert page_metadata("日期：2022年01月20日")["published"] == "2022-01-20"
    assert page_metadata("标题\n2022-01-20 10:12  来源：本站  浏览次数：12")["published"] == "2022-01-20"
    assert "published" not in page_metadata("更新日期：2024-06-01\n今天是2026年11月27日 星期五")
    assert "published" not in page_metadata("采集日期：2026-11-27 来源：本站")


def test_a_title_that_shortens_the_agency_takes_its_full_name_from_the_metadata():
    text = (SAMPLES / "002_df1cbcf456d1d70c.txt").read_text().replace(
        "新洲区科经局2021年度政府信息公开工作年度报告", "区科经局2021年度政府信息公开工作年度报告")
    r = parse_report(text.encode())
    assert r["agency"] == "新洲区科经局" and r["agency_raw"] == "区科经局"
    assert "agency_suspect" not in {f["code"] for f in r["flags"]}


def test_the_info_line_field_after_the_source_is_not_part_of_the_publisher():
    # the spans of "来源：…" and "浏览次数：…" lose their space when the page's text is taken
    assert page_metadata("发布时间：2025-01-10 来源：云岭县文化路街道浏览次数：165")["publisher"] == "云岭县文化路街道"
    assert page_metadata("来源：云岭县文化路街道 【字体：大 中 小】")["publisher"] == "云岭县文化路街道"


def test_a_township_or_subdistrict_is_the_subject_of_the_first_sentence():
    assert agency_in_body("一、总体情况\n2024年，云岭县文化路街道认真贯彻落实条例") == "云岭县文化路街道"
    assert agency_in_body("一、总体情况\n2024年，云岭县柯村镇深入推进政务公开") == "云岭县柯村镇"
    assert agency_in_body("一、总体情况\n2024年，全县各乡镇认真贯彻落实条例") is None


def test_this_site_or_we_are_not_an_agency():
    assert not any(map(is_plausible_agency, ["本站", "本网", "我局", "该局", "全县各乡镇", "各乡镇"]))
    assert is_plausible_agency("本溪市人民政府") and is_plausible_agency("云岭县政务服务管理局")
