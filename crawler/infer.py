"""Cells whose boundaries were lost: "801000081" is 80 | 1 | 0 | 0 | 0 | 0 | 81.

Text taken from an HTML table without separators glues a row's figures into one run of digits.
The template's own arithmetic splits them: a row's total is the sum of its six applicant columns,
every column balances (new + carried over = handled + carried forward), the outcome rows add up
to 总计, and the prose states some totals. Every split that fits all of it is kept; a cell is
given only when every such split agrees on it, else it stays null and is counted as ambiguous.
A run whose length equals the number of cells is split one digit per cell: that is what was
printed, even when the report's own sums then disagree (the checks flag that, not this module).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import product

from .schema import (
    ACTIVE_PLAUSIBLE_MAX,
    APPEAL_OUTCOMES,
    APPEAL_PARTS,
    APPLICANT_COLUMNS,
    BALANCE_ROWS,
    MONEY_MEASURES,
    OTHER_SUBROWS,
    OUTCOME_ROWS,
)

_INT = re.compile(r"0|[1-9]\d*")
_SIGNED = re.compile(r"-?(?:0|[1-9]\d*)")
_MONEY = re.compile(r"(?:0|[1-9]\d*)(?:\.\d+)?")
# the most split combinations tried for one table before giving up on the ambiguous rows
_MAX_COMBINATIONS = 200_000


@dataclass
class Inferred:
    values: dict            # key -> {column: value or None}
    cells: int = 0          # cells recovered from glued runs
    ambiguous: int = 0      # cells left null because several splits fit

    def detail(self, table: str) -> str:
        text = f"{table}: {self.cells} cells split from glued digits by the template's arithmetic"
        return text + (f"; {self.ambiguous} left null, more than one split fits" if self.ambiguous else "")


def splits(run: str, patterns: list[re.Pattern]) -> list[tuple]:
    """Every way to cut `run` into len(patterns) parts, each a whole match of its pattern."""
    if not patterns:
        return [()] if not run else []
    out = []
    head, rest = patterns[0], patterns[1:]
    max_len = len(run) - len(rest)
    for end in range(1, max_len + 1):
        part = run[:end]
        if head.fullmatch(part):
            out += [(_number(part), *tail) for tail in splits(run[end:], rest)]
    return out


def _number(text: str):
    return float(text) if "." in text else int(text)


def _row_candidates(run: str, n: int, total_last: bool) -> list[tuple]:
    """The splits of one table 三/四 run into n cells (the last one the total when `total_last`)."""
    if len(run) == n and run.isdigit():     # one digit per cell: no choice was made
        return [tuple(int(c) for c in run)]
    found = splits(run, [_INT] * n)
    return [s for s in found if not total_last or sum(s[:-1]) == s[-1]]


def _solve(candidates: dict[str, list[tuple]], consistent) -> dict[str, tuple]:
    """Every combination of the rows' candidate splits that `consistent` accepts; per row, the
    cells on which all accepted combinations agree (None where they differ, or where none fits)."""
    fixed = {k: c[0] for k, c in candidates.items() if len(c) == 1}
    open_rows = [k for k, c in candidates.items() if len(c) > 1]
    combinations = 1
    for k in open_rows:
        combinations *= len(candidates[k])
    accepted = []
    if combinations <= _MAX_COMBINATIONS:
        for combo in product(*(candidates[k] for k in open_rows)):
            chosen = {**fixed, **dict(zip(open_rows, combo))}
            if consistent(chosen):
                accepted.append(chosen)
    result = dict(fixed)
    for k in open_rows:
        options = {a[k] for a in accepted}
        cells = list(zip(*options)) if options else [()] * len(candidates[k][0])
        result[k] = tuple(c[0] if len(set(c)) == 1 else None for c in cells)
    return result


def infer_applications(runs: dict[str, str], received: int | None = None) -> Inferred:
    """Table 三 from each row's glued run (keys: the schema's rows, 2021 sub-rows included)."""
    n = len(APPLICANT_COLUMNS)
    candidates = {k: _row_candidates(run, n, total_last=True) for k, run in runs.items() if run != "0"}
    candidates = {k: c for k, c in candidates.items() if c}
    outcome_rows = [r for r in OUTCOME_ROWS if r != "other"] + list(OTHER_SUBROWS if all(r in runs for r in OTHER_SUBROWS)
                                                                     else ["other"])

    def consistent(chosen: dict[str, tuple]) -> bool:
        if all(r in chosen for r in BALANCE_ROWS):
            new, carried, handled, forward = (chosen[r] for r in BALANCE_ROWS)
            if any(new[i] + carried[i] != handled[i] + forward[i] for i in range(n)):
                return False
        if "total_handled" in chosen and all(r in chosen for r in outcome_rows):
            if any(sum(chosen[r][i] for r in outcome_rows) != chosen["total_handled"][i] for i in range(n)):
                return False
        if received is not None and "new_received" in chosen and chosen["new_received"][-1] != received:
            carried = chosen.get("carried_over")
            if not carried or chosen["new_received"][-1] + carried[-1] != received:
                return False
        return True

    solved = _solve(candidates, consistent)
    values = {k: dict(zip(APPLICANT_COLUMNS, v)) for k, v in solved.items()}
    values.update({k: dict.fromkeys(APPLICANT_COLUMNS) for k, run in runs.items() if k not in values and run != "0"})
    ambiguous = sum(v is None for row in values.values() for v in row.values())
    # a row printed as one merged "0": the schema keeps it under total
    merged = {k: {**dict.fromkeys(APPLICANT_COLUMNS), "total": 0} for k, run in runs.items() if run == "0"}
    return Inferred({**values, **merged}, cells=len(values) * n, ambiguous=ambiguous)


def infer_appeals(run: str) -> Inferred:
    """Table 四 from its one glued run of 15 cells (three kinds, five outcomes each)."""
    n = len(APPEAL_OUTCOMES)
    kinds = ("review", "suit_direct", "suit_after_review")
    if len(run) == n * len(kinds):
        flat = [int(c) for c in run]
        values = {k: dict(zip(APPEAL_OUTCOMES, flat[i * n:(i + 1) * n])) for i, k in enumerate(kinds)}
        return Inferred(values, cells=len(flat))
    found = [s for s in splits(run, [_INT] * (n * len(kinds)))
             if all(sum(s[i * n:i * n + len(APPEAL_PARTS)]) == s[i * n + n - 1] for i in range(len(kinds)))]
    values = {}
    for i, kind in enumerate(kinds):
        cells = {s[i * n:(i + 1) * n] for s in found}
        options = list(zip(*cells)) if cells else [()] * n
        values[kind] = {o: (c[0] if len(set(c)) == 1 else None) for o, c in zip(APPEAL_OUTCOMES, options)}
    return Inferred(values, cells=n * len(kinds), ambiguous=sum(v is None for row in values.values() for v in row.values()))


def infer_active_row(run: str, measures: list[str], stated: dict[str, int] | None = None) -> Inferred:
    """One table 二 row from its glued run: the splits whose figures are within what such a
    row can hold (schema.ACTIVE_PLAUSIBLE_MAX), keep in force at least what was issued in the
    year (what is repealed comes from the stock in force at its start: in force = start + issued
    − repealed with repealed ≤ start), and agree with what the prose states."""
    patterns = [_MONEY if m in MONEY_MEASURES else _SIGNED if m == "change" else _INT for m in measures]
    if len(measures) == 1:
        found = [(_number(run),)] if patterns[0].fullmatch(run) else []
    else:
        found = splits(run, patterns)
    stated = stated or {}

    def fits(split) -> bool:
        cells = dict(zip(measures, split))
        if any(abs(v) > ACTIVE_PLAUSIBLE_MAX.get(m, float("inf")) for m, v in cells.items()):
            return False
        if {"issued", "repealed", "in_force"} <= cells.keys() and cells["in_force"] < cells["issued"]:
            return False
        return all(cells.get(m, v) == v for m, v in stated.items())

    if len(run) == len(measures) and run.isdigit():     # one digit per cell: no choice was made
        found = [tuple(int(c) for c in run)]
    elif len(found) > 1:
        found = [s for s in found if fits(s)]
    options = list(zip(*set(found))) if found else [()] * len(measures)
    values = {m: (float(c[0]) if m in MONEY_MEASURES else c[0]) if len(set(c)) == 1 else None
              for m, c in zip(measures, options)}
    return Inferred(values, cells=len(measures) if len(measures) > 1 else 0, ambiguous=sum(v is None for v in values.values()))
