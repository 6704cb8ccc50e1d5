"""Glued digits split by the template's arithmetic: a cell is given only when every split agrees."""
from crawler.glued import label_runs, parse_glued
from crawler.infer import infer_active_row, infer_appeals, infer_applications, splits
from crawler.schema import APPLICATION_ROWS, ROW_NUMBERS


def test_splits_never_give_a_number_a_leading_zero():
    import re
    one = re.compile(r"0|[1-9]\d*")
    assert splits("1000", [one, one]) == [(100, 0)]
    assert splits("0000000", [one] * 7) == [(0,) * 7]


def test_an_ambiguous_row_keeps_only_the_cells_every_split_agrees_on():
    # 22|0|0|0|0|0|22 and 2|20|0|0|0|0|22 both add up: who applied is unknown, the total is not
    table = infer_applications({"granted": "220000022"})
    assert table.values["granted"] == {"natural_person": None, "commercial": None, "research": 0, "nonprofit": 0,
                                       "legal_services": 0, "other_org": 0, "total": 22}
    assert table.ambiguous == 2


def test_column_sums_decide_between_splits():
    runs = {key: "0000000" for key in APPLICATION_ROWS if key != "other"}
    runs.update({"new_received": "801000081", "granted": "220000022", "partially_granted": "191000020",
                 "unavailable_not_held": "310000031", "rejected_duplicate": "8000008", "total_handled": "801000081"})
    table = infer_applications(runs)
    assert table.values["granted"]["natural_person"] == 22
    assert table.values["partially_granted"] == dict(zip(table.values["granted"], [19, 1, 0, 0, 0, 0, 20]))
    assert table.ambiguous == 0


def test_a_run_of_one_digit_per_cell_is_read_as_printed_even_when_it_does_not_add_up():
    assert infer_applications({"granted": "1000002"}).values["granted"]["total"] == 2
    appeals = infer_appeals("110024001510102").values
    assert appeals["suit_direct"] == {"upheld": 4, "corrected": 0, "other": 0, "pending": 1, "total": 5}


def test_table_two_rows_need_the_prose_or_stay_null():
    measures = ["issued", "repealed", "in_force"]
    # 1|2|345, 1|23|45, 12|3|45 and 1|234|5 all fit
    assert infer_active_row("12345", measures).values == {"issued": None, "repealed": None, "in_force": None}
    assert infer_active_row("12345", measures, {"issued": 12}).values == {"issued": 12, "repealed": 3, "in_force": 45}
    # more in force than a body can hold (32470, 2470) or fewer than it issued this year (70) are no splits
    assert infer_active_row("77132470", measures).values == {"issued": 77, "repealed": 132, "in_force": 470}
    assert infer_active_row("5949.088667", ["amount_wan"]).values == {"amount_wan": 5949.088667}


def test_runs_lose_the_next_items_number():
    section = "4.保护第三方合法权益10000015.属于三类内部事务信息0000000"
    runs = label_runs(section, [("denied_third_party", "第三方"), ("denied_internal_affairs", "内部事务")], ROW_NUMBERS)
    assert runs == {"denied_third_party": "1000001", "denied_internal_affairs": "0000000"}


def test_glued_tables_are_flagged():
    sections = {"applications": "一、本年新收政府信息公开申请数量1000001二、上年结转政府信息公开申请数量0000000（一）予以公开1000001",
                "appeals": "", "active": ""}
    results, problems, flags = parse_glued(sections, "2021", {})
    assert results["applications"]["new_received"]["total"] == 1
    assert [f["code"] for f in flags] == ["cells_inferred"]


def test_a_minus_sign_inside_a_run_bounds_the_split():
    # 2019's 本年增/减 may be negative: "312-415873" is 312 | -4… | …, and only 312 is certain
    row = infer_active_row("312-415873", ["previous", "change", "decisions"])
    assert row.values == {"previous": 312, "change": None, "decisions": None}
    assert infer_active_row("21-2", ["previous", "change"]).values == {"previous": 21, "change": -2}


def test_a_row_printed_as_one_merged_zero():
    table = infer_applications({"carried_over": "0"})
    assert table.values["carried_over"] == {"natural_person": None, "commercial": None, "research": None, "nonprofit": None,
                                            "legal_services": None, "other_org": None, "total": 0}
    assert table.ambiguous == 0
