"""Whole reports: the frozen real samples in shared/samples, checked cell by cell."""
import pytest

from crawler.clean import clean_text
from crawler.exc import NotAReport
from crawler.report import parse_report
from tests.fixtures import codes, parse_sample, sample_path
from tests.fixtures.html_cases import COLS, DENIED, REJECTED, UNAVAILABLE, appeals


def test_000_identity_and_spam():
    r = parse_sample("000")
    assert (r["agency"], r["agency_raw"], r["year"], r["template"], r["published"]) == ("瀛洲街道办事处", "瀛洲街道办事处", 2020, "2019", None)
    assert codes(r) == ["spam_injection"]
    assert "立博平台,立博官网" in r["flags"][0]["detail"]
    assert "立博" not in (r["title"] + str(r["active"]) + str(r["applications"]))


def test_000_tables():
    r = parse_sample("000")
    zero3 = {"made": 0, "published": 0, "total_public": 0}
    changes = {"previous": 0, "change": 0, "decisions": 0}
    assert r["active"] == {
        "rules": zero3, "normative_documents": zero3, "licensing": changes, "other_services": changes,
        "penalty": changes, "coercion": changes, "fees": {"previous": 0, "change": 0},
        "procurement": {"items": 15, "amount_wan": 671.422},
    }
    expected_rows = ["new_received", "carried_over", "granted", "partially_granted", *DENIED, *UNAVAILABLE, *REJECTED,
                     "other", "total_handled", "carried_forward"]
    assert list(r["applications"]) == expected_rows
    assert all(values == all_zero() for values in r["applications"].values())
    assert r["appeals"] == appeals([1, 0, 3, 0, 4], [0] * 5, [0] * 5)


def test_001_traditional_pinyin_and_the_unbalanced_not_held_row():
    r = parse_sample("001")
    assert (r["agency"], r["year"], r["template"]) == ("盘山县人民政府办公室", 2022, "2021")
    assert codes(r) == ["handled_total_mismatch", "handled_total_mismatch", "text_artifacts", "traditional_script"]
    assert {"code": "text_artifacts", "detail": "112 inline pinyin glosses removed, e.g. 規(guī)"} in r["flags"]
    details = {f["detail"] for f in r["flags"] if f["code"] == "handled_total_mismatch"}
    assert details == {"natural_person: outcome rows add up to 16 but total_handled is 14",
                       "total: outcome rows add up to 16 but total_handled is 14"}
    apps = r["applications"]
    assert apps["new_received"] == {**all_zero(), "natural_person": 14, "total": 14}
    # blank cells in the printed table stay unknown, not zero
    assert apps["carried_over"] == {**all_zero(), "natural_person": None, "total": None}
    assert apps["granted"] == {**all_zero(), "natural_person": 14, "total": 14}
    assert apps["unavailable_not_held"] == {**all_zero(), "natural_person": 2, "total": 2}
    assert apps["total_handled"] == {**all_zero(), "natural_person": 14, "total": 14}
    special = {"new_received", "carried_over", "granted", "unavailable_not_held", "total_handled"}
    expected_rows = ["new_received", "carried_over", "granted", "partially_granted", *DENIED, *UNAVAILABLE, *REJECTED,
                     "other", "other_no_correction", "other_no_fee", "other_misc", "total_handled", "carried_forward"]
    assert list(apps) == expected_rows
    for key in set(expected_rows) - special:
        assert apps[key] == all_zero(), key
    assert r["active"] == {
        "rules": {"issued": 0, "repealed": 0, "in_force": 0}, "normative_documents": {"issued": 0, "repealed": 0, "in_force": 0},
        "licensing": {"decisions": 0}, "penalty": {"decisions": 0}, "coercion": {"decisions": 0}, "fees": {"amount_wan": 0.0},
    }
    assert r["appeals"] == appeals([0] * 5, [1, 0, 0, 0, 1], [0] * 5)


def test_001_footer_and_site_chrome_are_gone():
    text, _ = clean_text(sample_path("001").read_text())
    for chrome in ("ICP", "公网安备", "网站标识码", "版权所有", "主办单位", "联系电话"):
        assert chrome not in text
    assert text.endswith("本年度没有产生信息公开处理费。")
    assert "(guī)" not in text and "規" not in text


def test_002_metadata_and_collapsed_rows():
    r = parse_sample("002")
    assert (r["agency"], r["year"], r["template"], r["published"]) == ("新洲区科经局", 2021, "2021", "2022-01-21")
    assert (r["publisher"], r["index_no"]) == ("新洲区科经局", "574913941/2022-03607")
    assert r["flags"] == []
    collapsed = {c: (0 if c == "total" else None) for c in COLS}
    assert len(r["applications"]) == 26
    assert all(values == collapsed for values in r["applications"].values())
    assert r["appeals"] == appeals([0] * 5, [0] * 5, [0] * 5)
    assert r["active"]["fees"] == {"amount_wan": 0.0}


@pytest.mark.parametrize("name", ["000", "001", "002"])
def test_samples_keep_schema_types(name):
    r = parse_sample(name)
    for rows in (r["applications"], r["appeals"]):
        for values in rows.values():
            assert all(v is None or isinstance(v, int) for v in values.values())


def all_zero():
    return dict.fromkeys(COLS, 0)


def test_a_correction_that_quotes_a_report_s_headings_is_not_a_report():
    page = ("<html><head><title>关于云岭县政务服务管理局2023年政府信息公开工作年度报告的更正说明</title></head><body>"
            "<h1>关于云岭县政务服务管理局2023年政府信息公开工作年度报告的更正说明</h1>"
            "<p>我局2024年1月20日发布的《云岭县政务服务管理局2023年政府信息公开工作年度报告》中，"
            "“三、收到和处理政府信息公开申请情况”部分数据有误，现更正如下：本年新收申请数量应为12件。特此更正。</p>"
            "</body></html>").encode()
    with pytest.raises(NotAReport, match="a page about a report"):
        parse_report(page, url="http://a.gov.cn/art/2024/4/6/art_1_2.html")
