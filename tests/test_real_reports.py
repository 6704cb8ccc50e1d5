"""The three real reports of ../shared/samples/real (frozen in fixtures/real), checked on every cell
of their hand-checked answers, with the flags each must and must not raise."""
import json
from pathlib import Path

import pytest

from crawler.report import parse_report

REAL = Path(__file__).parent / "fixtures" / "real"
NAMES = ["real_pingtan_2023.txt", "real_hongze_2023.pdf", "real_shanghai_kewei_2024.md"]


def parse(name):
    return parse_report((REAL / name).read_bytes(), filename=name)


def answer(name):
    return json.loads((REAL / (name.rsplit(".", 1)[0] + ".expected.json")).read_text())


def codes(report):
    return {f["code"] for f in report["flags"]}


@pytest.mark.parametrize("name", NAMES)
def test_every_answered_cell(name):
    report, expected = parse(name), answer(name)
    for table in ("active", "applications", "appeals"):
        for row, columns in expected[table].items():
            for column, value in columns.items():
                assert report[table][row][column] == value, f"{table}.{row}.{column}"
                # money is a float in 万元 (the answers write 0 for 0.0), counts are ints
                assert type(report[table][row][column]) is (float if column == "amount_wan" else type(value))


@pytest.mark.parametrize("name", NAMES)
def test_identity_and_flags(name):
    report, expected = parse(name), answer(name)
    assert expected["agency_contains"] in report["agency"]
    assert (report["year"], report["template"], report["published"]) == (expected["year"], expected["template"], expected["published"])
    assert set(expected["flags_required"]) <= codes(report)
    assert not set(expected["flags_forbidden"]) & codes(report)


def test_glued_cells_are_flagged_with_how_many_were_split():
    details = [f["detail"] for f in parse("real_pingtan_2023.txt")["flags"] if f["code"] == "cells_inferred"]
    assert details == ["table 三: 175 cells split from glued digits by the template's arithmetic",
                       "table 四: 15 cells split from glued digits by the template's arithmetic",
                       "table 二: 6 cells split from glued digits by the template's arithmetic"]


def test_archive_header_block_gives_title_publisher_and_date():
    r = parse("real_pingtan_2023.txt")
    assert (r["title"], r["publisher"], r["agency"]) == ("平潭综合实验区2023年度政府信息公开工作年度报告", "平潭综合实验区管委会办公室",
                                                           "平潭综合实验区")
    assert {"code": "published_late", "detail": "published 2024-03-08, after the 2024-01-31 deadline"} in r["flags"]


def test_title_over_two_lines_with_a_short_form_agency():
    r = parse("real_shanghai_kewei_2024.md")
    assert (r["agency"], r["year"]) == ("上海市科委", 2024)
    # the cell the conversion lost stays unknown
    assert r["applications"]["carried_forward"]["total"] is None


def test_mistyped_label_and_totals_of_zero():
    r = parse("real_hongze_2023.pdf")
    assert r["applications"]["denied_prohibited_by_law"]["total"] == 0
    assert sorted(f["detail"] for f in r["flags"] if f["code"] == "appeal_total_mismatch") == [
        "review: 10 + 1 + 0 + 0 = 11 != total 0", "suit_after_review: 5 + 0 + 0 + 0 = 5 != total 0"]
