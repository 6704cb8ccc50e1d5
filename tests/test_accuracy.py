"""The accuracy gate: every file with an answer scores at least its recorded floor, and no parse
prints a figure that is not the report's (bench/accuracy.py prints the same scores)."""
import json
from pathlib import Path

import pytest

from crawler.accuracy import answer_cases, score_file, score_report

FIXTURES = Path(__file__).parent / "fixtures"
FLOORS = json.loads((FIXTURES / "real" / "scores.json").read_text())
CASES = answer_cases(FIXTURES)


def test_every_recorded_file_is_still_there():
    names = {str(path.relative_to(FIXTURES)) for path, _ in CASES}
    assert set(FLOORS) <= names


@pytest.mark.parametrize("path,answer", CASES, ids=[str(p.relative_to(FIXTURES)) for p, _ in CASES])
def test_file_scores_at_least_its_floor(path, answer):
    score = score_file(path, answer)
    floor = FLOORS.get(str(path.relative_to(FIXTURES)), {"right": 0, "wrong": 0, "field_misses": 0, "flag_misses": 0})
    assert score.right >= floor["right"], score.missed[:10]
    assert len(score.wrong) <= floor["wrong"], score.wrong
    assert len(score.field_misses) <= floor["field_misses"], score.field_misses
    assert len(score.flag_misses) <= floor["flag_misses"], score.flag_misses


def test_scoring_tells_wrong_from_missing_and_honours_blank_ok():
    answer = {"applications": {"granted": {"natural_person": 3, "total": None}}, "year": 2023,
              "flags_required": ["published_late"], "flags_forbidden": ["agency_suspect"]}
    report = {"applications": {"granted": {"natural_person": 4, "total": 0}}, "year": 2023,
              "flags": [{"code": "agency_suspect", "detail": ""}]}
    score = score_report(report, answer)
    assert (score.cells, score.right) == (2, 0)
    assert score.wrong == ["applications.granted.natural_person: 4, printed 3", "applications.granted.total: 0, printed None"]
    assert score.flag_misses == ["published_late not raised", "agency_suspect raised"]
    assert score_report(report, {**answer, "blank_ok": True}).right == 1
    assert score_report({"applications": {}}, answer).missed == ["applications.granted.natural_person: null, printed 3"]
