"""Table 三 rows detached from their labels: placed by template order and the table's sums, or left null."""
from crawler.align import align_applications, has_detached_rows

ZERO = "0 0 0 0 0 0 0"
HEAD = ["一、本年新收政府信息公开申请数量 3 0 0 0 0 0 3", "二、上年结转政府信息公开申请数量 1 0 0 0 0 0 1",
        "（一）予以公开 2 0 0 0 0 0 2"]
# (二) … (五) rows of the 2021 template after 予以公开, then the three (六) rows
MIDDLE = ["1 0 0 0 0 0 1", "1.属于国家秘密 " + ZERO, *[ZERO] * 7, "1.本机关不掌握相关政府信息 " + ZERO, ZERO, ZERO,
          "1.信访举报投诉类申请 " + ZERO, *[ZERO] * 4, "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请 " + ZERO,
          ZERO, "3.其他 " + ZERO]
TAIL = ["（七）总计 3 0 0 0 0 0 3", "四、结转下年度继续办理 1 0 0 0 0 0"]


def test_unlabeled_rows_fill_the_gaps_between_labelled_ones_in_order():
    section = "\n".join(HEAD + MIDDLE + TAIL)
    assert has_detached_rows(section)
    rows, problems, aligned = align_applications(section, "2021")
    assert rows["partially_granted"]["total"] == 1
    assert rows["denied_prohibited_by_law"]["total"] == 0
    assert aligned == 15 and problems == []


def test_a_row_that_lost_its_blank_cell_is_placed_by_the_balance():
    rows, _, _ = align_applications("\n".join(HEAD + MIDDLE + TAIL), "2021")
    assert rows["carried_forward"] == {"natural_person": 1, "commercial": 0, "research": 0, "nonprofit": 0,
                                       "legal_services": 0, "other_org": 0, "total": None}


def test_a_gap_with_one_row_too_few_stays_null():
    middle = list(MIDDLE)
    middle.remove("1 0 0 0 0 0 1")          # the conversion lost the 部分公开 row
    rows, problems, _ = align_applications("\n".join(HEAD + middle + TAIL), "2021")
    assert "partially_granted" not in rows
    assert any("left null" in p for p in problems)


def test_rows_that_break_the_sums_once_aligned_are_dropped():
    middle = [("5 0 0 0 0 0 5" if line == "1 0 0 0 0 0 1" else line) for line in MIDDLE]
    rows, problems, aligned = align_applications("\n".join(HEAD + middle + TAIL), "2021")
    assert aligned == 0 and "partially_granted" not in rows
    assert any("disagree with the table's sums" in p for p in problems)
