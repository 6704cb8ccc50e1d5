"""Cells printed as placeholders ("—", "/", an empty cell) are blanks in place: they keep every other
figure in its column, and a row printed all blank is a row found, not a missing one."""
from crawler.tables import parse_active, parse_applications, text_tokens

ROWS = """三、收到和处理政府信息公开申请情况
一、本年新收政府信息公开申请数量\t45\t—\t—\t—\t1\t1\t47
二、上年结转政府信息公开申请数量\t1\t—\t—\t—\t—\t—\t1
三、本年度办理结果\t(一)予以公开\t34\t—\t—\t—\t1\t1\t36
(二)部分公开(区分处理的,只计这一情形,不计其他情形)\t1\t—\t—\t—\t—\t—\t1
(三)不予公开\t1.属于国家秘密\t—\t—\t—\t—\t—\t—\t—
2.其他法律行政法规禁止公开\t/\t/\t/\t/\t/\t/\t/
"""


def test_a_row_ending_in_1_before_item_1_keeps_both_its_figures():
    # the row's total 1 is not the next item's number "1.": its blanks make the row whole
    apps, _ = parse_applications(text_tokens(ROWS))
    assert apps["partially_granted"] == {"natural_person": 1, "commercial": None, "research": None, "nonprofit": None,
                                         "legal_services": None, "other_org": None, "total": 1}
    assert apps["new_received"]["legal_services"] == 1 and apps["new_received"]["total"] == 47


def test_rows_printed_blank_are_found_with_blank_cells():
    apps, problems = parse_applications(text_tokens(ROWS))
    assert set(apps["denied_state_secret"].values()) == {None}
    assert set(apps["denied_prohibited_by_law"].values()) == {None}
    assert problems == []


def test_a_row_with_no_cells_at_all_is_still_missing():
    # the label alone, its cells lost: unknown, not blank
    apps, _ = parse_applications(text_tokens(ROWS + "3.危及“三安全一稳定”\n"))
    assert "denied_three_safeties" not in apps


def test_table_two_row_of_dashes_is_blank_not_a_problem():
    text = "信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n规章\t—\t—\t—\n行政规范性文件\t6\t1\t6\n"
    active, problems = parse_active(text_tokens(text), "2021")
    assert active["rules"] == {"issued": None, "repealed": None, "in_force": None}
    assert active["normative_documents"] == {"issued": 6, "repealed": 1, "in_force": 6}
    assert not [p for p in problems if "规章" in p]


def test_table_two_row_with_its_values_lost_is_a_problem():
    text = "信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n规章\n行政规范性文件\t6\t1\t6\n"
    _, problems = parse_active(text_tokens(text), "2021")
    assert any("规章" in p for p in problems)
