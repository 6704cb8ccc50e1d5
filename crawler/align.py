"""Table 三 rows detached from their labels, as PDF-to-Markdown and PDF-to-text conversions leave them.

The labels float as text lines (often broken: "行政机关不再处理其政府信息公" / "开申请") and the
values come as unlabeled rows (`| 0 | 0 | … |`, "0 0 0 0 0 0 0"), among stray single values, page
footers and header fragments. A row printed with its label on the same line is an anchor; the
unlabeled value rows between two anchors belong, in order, to the template rows between them that
have no anchor of their own, and only when there are exactly as many of each. Anything else stays
null. The aligned rows must then agree with the table's own sums (outcome rows = 总计, each column
balanced); when they do not, they are dropped rather than risk a figure in the wrong row.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .schema import APPLICANT_COLUMNS, APPLICATION_ROWS, BALANCE_ROWS, OTHER_SUBROWS, OUTCOME_ROWS, rows_in_group
from .tables import TEXT, application_label, parse_value

_N = len(APPLICANT_COLUMNS)
_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}")
_PAGE_FOOTER = re.compile(r"^[\s\-—–]*\d{1,3}[\s\-—–]*$|^第\s*\d+\s*页")


@dataclass
class _Line:
    key: str | None          # the row its label names, None for an unlabeled value row
    values: list             # cell values after the label (None for a blank cell)


def _cells(line: str) -> list[str]:
    if "|" in line:
        return [c.strip() for c in line.strip().strip("|").split("|")]
    return line.split()


def _row_values(cells: list[str], spaced: bool) -> list | None:
    """A row's seven values from its value cells, None when they are not a table 三 row. Text
    split at spaces loses a blank cell: six figures come back as they are, to be placed later."""
    values = [parse_value(c) for c in cells]
    if any(v is TEXT for v in values):
        return None
    if spaced and len(values) == _N - 1 and all(isinstance(v, int) for v in values):
        return values
    while len(values) > _N and values[-1] is None:     # a conversion's extra empty column
        values.pop()
    numbers = [v for v in values if v is not None]
    if len(values) != _N or len(numbers) < _N - 1 or any(isinstance(v, float) for v in numbers):
        return None
    return values


def _lines(section: str) -> list[_Line]:
    out: list[_Line] = []
    after = None
    for raw in section.split("\n"):
        if not raw.strip() or _SEPARATOR.match(raw.strip()) or _PAGE_FOOTER.match(raw.strip()):
            continue
        cells = _cells(raw)
        label_at = None
        for i, cell in enumerate(cells):
            if parse_value(cell) is not TEXT:
                continue
            # a bare "3.其他" after the (五) rows can only be (六)3, whose group label may be broken apart
            group = "other" if after in (*rows_in_group("rejected"), *OTHER_SUBROWS) else None
            label = application_label(cell, group, seen_outcome=after is not None, after=after)
            if label and label[0] == "row":
                label_at = (i, label[1])
            elif label == ("group", "other"):     # 2019's single 其他处理 row, also met inside 2021 tables
                label_at = (i, "other")
        if label_at is not None:
            values = _row_values(cells[label_at[0] + 1:], "|" not in raw)
            if values is not None:
                out.append(_Line(label_at[1], values))
                after = label_at[1]
            continue
        values = _row_values(cells, "|" not in raw)
        if values is not None:
            out.append(_Line(None, values))
    return out


def has_detached_rows(section: str) -> bool:
    """Unlabeled full value rows beside labelled ones: the shape this module aligns."""
    lines = _lines(section)
    return sum(line.key is None for line in lines) >= 2 and any(line.key for line in lines)


def align_applications(section: str, template: str | None) -> tuple[dict, list[str], int]:
    """(rows, problems, number of rows placed by alignment) for table 三."""
    lines = _lines(section)
    anchors = [line.key for line in lines if line.key]
    # a table printing (六)其他处理 as one row has no sub-rows, whatever its template
    single_other = "other" in anchors or template != "2021"
    expected = [r for r in APPLICATION_ROWS if r not in (OTHER_SUBROWS if single_other else ("other",))]
    if any(expected.index(a) >= expected.index(b) for a, b in zip(anchors, anchors[1:]) if a in expected and b in expected):
        return {}, ["applications: labelled rows out of the template's order"], 0
    rows: dict[str, dict] = {}
    aligned: dict[str, dict] = {}
    problems: list[str] = []
    pending: list[list] = []
    previous = -1
    for line in [*lines, _Line(None, [])]:           # a sentinel closes the last gap
        if line.key is None and line.values:
            pending.append(line.values)
            continue
        position = expected.index(line.key) if line.key in expected else len(expected)
        gap = [r for r in expected[previous + 1:position] if r not in anchors]
        if pending and len(pending) == len(gap):
            aligned.update(dict(zip(gap, pending)))
        elif pending or (gap and line.key):
            problems.append(f"applications: {len(pending)} unlabeled value rows for {len(gap)} rows"
                            f" ({', '.join(gap) or 'none'}); left null")
        pending = []
        if line.key:
            rows.setdefault(line.key, line.values)
            previous = max(previous, position)
    rows = {k: dict(zip(APPLICANT_COLUMNS, v)) for k, v in rows.items() if len(v) == _N} | \
        {k: v for k, v in rows.items() if len(v) < _N}
    aligned = {k: dict(zip(APPLICANT_COLUMNS, v)) for k, v in aligned.items() if len(v) == _N} | \
        {k: v for k, v in aligned.items() if len(v) < _N}
    for short in [k for k, v in {**rows, **aligned}.items() if isinstance(v, list)]:
        placed = _place_blank(short, (rows.get(short) or aligned.get(short)), {**rows, **aligned}, single_other)
        for table in (rows, aligned):
            if short in table:
                table[short] = placed
        if placed is None:
            problems.append(f"applications: row {short} prints six figures for seven columns; left null")
    rows = {k: v for k, v in rows.items() if v is not None}
    aligned = {k: v for k, v in aligned.items() if v is not None}
    if aligned and not _sums_hold({**rows, **aligned}, single_other):
        problems.append(f"applications: rows aligned by order ({', '.join(aligned)}) disagree with the table's sums; left null")
        aligned = {}
    rows.update(aligned)
    subrows = [rows[r] for r in OTHER_SUBROWS if r in rows]
    if len(subrows) == len(OTHER_SUBROWS) and "other" not in rows:
        rows["other"] = {c: None if any(s[c] is None for s in subrows) else sum(s[c] for s in subrows)
                         for c in APPLICANT_COLUMNS}
    return {k: rows[k] for k in APPLICATION_ROWS if k in rows}, problems, len(aligned)


def _place_blank(key: str, figures: list, rows: dict, single_other: bool) -> dict | None:
    """A row of six figures for seven columns: the blank cell goes where the table's sums want
    the figures, when exactly one place fits; else None."""
    required = _required_row(key, rows, single_other)
    if required is None:
        return None
    fits = []
    for blank in range(_N):
        values = [*figures[:blank], None, *figures[blank:]]
        if all(v is None or r is None or v == r for v, r in zip(values, required)):
            fits.append(values)
    return dict(zip(APPLICANT_COLUMNS, fits[0])) if len(fits) == 1 else None


def _required_row(key: str, rows: dict, single_other: bool) -> list | None:
    """What the column sums say a row must hold, from the other rows (None where they cannot say)."""
    def column(r, c):
        row = rows.get(r)
        return row.get(c) if isinstance(row, dict) else None

    outcome = [r for r in OUTCOME_ROWS if r != "other"] + (["other"] if single_other else list(OTHER_SUBROWS))
    if key in BALANCE_ROWS:
        signs = dict(zip(BALANCE_ROWS, (1, 1, -1, -1)))
        others = [r for r in BALANCE_ROWS if r != key]
    elif key in (*outcome, "total_handled"):
        signs = {r: 1 for r in outcome} | {"total_handled": -1}
        others = [r for r in (*outcome, "total_handled") if r != key]
    else:
        return None
    required = []
    for c in APPLICANT_COLUMNS:
        known = [column(r, c) for r in others]
        required.append(None if None in known else -signs[key] * sum(signs[r] * v for r, v in zip(others, known)))
    return required if any(v is not None for v in required) else None


def _sums_hold(rows: dict, single_other: bool) -> bool:
    """Outcome rows add up to 总计 and new + carried = handled + forward, where all are known."""
    outcome = [r for r in OUTCOME_ROWS if r != "other"] + (["other"] if single_other else list(OTHER_SUBROWS))
    for col in APPLICANT_COLUMNS:
        parts = [rows.get(r, {}).get(col) for r in outcome]
        handled = rows.get("total_handled", {}).get(col)
        if handled is not None and None not in parts and sum(parts) != handled:
            return False
        four = [rows.get(r, {}).get(col) for r in BALANCE_ROWS]
        if None not in four and four[0] + four[1] != four[2] + four[3]:
            return False
    return True
