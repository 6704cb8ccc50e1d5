"""Scoring a parsed report against a hand-checked answer file (NAME.expected.json).

The answer keys are those of ../shared/samples/real/README.md: `agency_contains` (or an exact
`agency`), `year`, `template`, `published`, the three tables with every cell a careful reader can
know (a cell that is left out is not scored; `null` means the printed cell is blank), `blank_ok`
(a blank printed cell may also be read as 0), `flags_required` and `flags_forbidden`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .schema import TABLES

_EXACT_FIELDS = ("agency", "year", "template", "published")


@dataclass
class Score:
    cells: int = 0                  # scored cells
    right: int = 0
    wrong: list[str] = field(default_factory=list)     # a non-null value that is not the printed one
    missed: list[str] = field(default_factory=list)    # null where the report prints a figure
    field_misses: list[str] = field(default_factory=list)
    flag_misses: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.cells += other.cells
        self.right += other.right
        self.wrong += other.wrong
        self.missed += other.missed
        self.field_misses += other.field_misses
        self.flag_misses += other.flag_misses

    @property
    def share(self) -> float:
        return self.right / self.cells if self.cells else 1.0

    def summary(self) -> dict:
        """What the recorded scores keep: progress may only go up from it."""
        return {"right": self.right, "cells": self.cells, "wrong": len(self.wrong),
                "field_misses": len(self.field_misses), "flag_misses": len(self.flag_misses)}


def _same(got, expected) -> bool:
    if isinstance(expected, float) or isinstance(got, float):
        return got is not None and expected is not None and abs(float(got) - float(expected)) < 1e-6
    return got == expected and type(got) is type(expected)


def score_report(report: dict, answer: dict) -> Score:
    score = Score()
    blank_ok = bool(answer.get("blank_ok"))
    for table in TABLES:
        for row, columns in (answer.get(table) or {}).items():
            for column, expected in columns.items():
                where = f"{table}.{row}.{column}"
                got = ((report.get(table) or {}).get(row) or {}).get(column)
                score.cells += 1
                if _same(got, expected) or (expected is None and got is None) or (expected is None and blank_ok and got == 0):
                    score.right += 1
                elif got is None:
                    score.missed.append(f"{where}: null, printed {expected}")
                else:
                    score.wrong.append(f"{where}: {got}, printed {expected}")
    for key in _EXACT_FIELDS:
        if key in answer and report.get(key) != answer[key]:
            score.field_misses.append(f"{key}: {report.get(key)!r}, expected {answer[key]!r}")
    if "agency_contains" in answer and answer["agency_contains"] not in (report.get("agency") or ""):
        score.field_misses.append(f"agency: {report.get('agency')!r} does not contain {answer['agency_contains']!r}")
    raised = {f["code"] for f in report.get("flags") or ()}
    score.flag_misses += [f"{code} not raised" for code in answer.get("flags_required", ()) if code not in raised]
    score.flag_misses += [f"{code} raised" for code in answer.get("flags_forbidden", ()) if code in raised]
    return score


def answer_cases(root) -> list[tuple[Path, Path]]:
    """(input, answer) pairs under `root`: every NAME.expected.json beside its NAME.<ext> input."""
    pairs = []
    for answer in sorted(Path(root).rglob("*.expected.json")):
        stem = answer.name[:-len(".expected.json")]
        inputs = [p for p in answer.parent.glob(f"{stem}.*") if p != answer]
        if len(inputs) == 1:
            pairs.append((inputs[0], answer))
    return pairs


def score_file(path: Path, answer_path: Path) -> Score:
    """Parse `path` as the crawler would and score it; a file the parser rejects scores nothing."""
    from .exc import NianbaoError
    from .report import parse_report
    answer = json.loads(answer_path.read_text(encoding="utf-8"))
    try:
        report = parse_report(path.read_bytes(), filename=str(path))
    except NianbaoError as exc:
        report = {"flags": [], "error": str(exc)}
    return score_report(report, answer)
