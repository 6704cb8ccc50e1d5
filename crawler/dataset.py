"""Checks across reports: an agency against its previous year, and a region's summary report
against the reports of the bodies it covers. Pure functions: stored reports in, flags out.
`crawler.datasetstore` runs them over the database after every crawl and reparse.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from .schema import APPLICANT_COLUMNS, flag

Cell = tuple[str, str, str]       # (table, row, column), as in the cells table


@dataclass
class StoredReport:
    id: int
    agency_key: str
    year: int
    agency: str | None = None
    title: str | None = None
    region_code: str | None = None
    level: str | None = None
    url: str | None = None
    cells: dict[Cell, float | None] = field(default_factory=dict)

    def name(self) -> str:
        return f"{self.agency or self.agency_key} {self.year} (report {self.id})"


class DatasetFlag(NamedTuple):
    report_id: int
    code: str
    subject: str      # what the flag is about, stable across re-parses (reviews are keyed on it)
    detail: str


# ------------------------------------------------------------------ year over year

# The figures compared with the previous year. All of them mean the same in both templates,
# so 2020 (2019 template) → 2021 (2021 template) is compared like any other pair: table 二's
# 2019-only measures (本年新制作数量, 上一年项目数量 ...) and 2021-only ones (本年制发件数 ...)
# are not listed, and 三's "other" is, in 2021 reports, the sum of its three sub-rows.
YOY_FIGURES: tuple[Cell, ...] = (
    ("applications", "new_received", "total"),
    ("applications", "total_handled", "total"),
    ("applications", "granted", "total"),
    ("appeals", "review", "total"),
    ("appeals", "suit_direct", "total"),
    ("active", "licensing", "decisions"),
    ("active", "penalty", "decisions"),
)
# A jump is an outlier when one year's figure is at least YOY_RATIO times the other's (up or
# down) and the larger is at least YOY_MIN: 5 → 60 applications is flagged, 0 → 7 and 20 → 45
# are not. A figure that goes from 0 to at least YOY_MIN counts as an infinite ratio.
YOY_RATIO = 10
YOY_MIN = 50


def _label(cell: Cell) -> str:
    return ".".join(cell)


def _fmt(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _previous_years(reports: list[StoredReport]) -> list[tuple[StoredReport, StoredReport]]:
    """(last year's report, this year's report) for every agency reporting two years running."""
    by_key = {(r.agency_key, r.year): r for r in reports if r.year}
    return [(by_key[(r.agency_key, r.year - 1)], r) for r in reports
            if r.year and (r.agency_key, r.year - 1) in by_key]


def is_yoy_outlier(before: float, after: float) -> bool:
    low, high = sorted((before, after))
    return high >= YOY_MIN and (low <= 0 or high / low >= YOY_RATIO)


def yoy_flags(reports: list[StoredReport]) -> list[DatasetFlag]:
    flags = []
    for last, this in _previous_years(reports):
        for cell in YOY_FIGURES:
            before, after = last.cells.get(cell), this.cells.get(cell)
            if before is None or after is None or not is_yoy_outlier(before, after):
                continue
            change = f"×{after / before:.1f}" if before and after else ("from 0" if not before else "to 0")
            flags.append(DatasetFlag(this.id, "yoy_outlier", _label(cell), flag(
                "yoy_outlier", f"{_label(cell)}: {_fmt(before)} in {last.year} → {_fmt(after)} in {this.year} ({change}; "
                               f"threshold ×{YOY_RATIO} with at least {YOY_MIN}); previous: {last.name()}")["detail"]))
    return flags


# ------------------------------------------------------------------ carried over = carried forward

def carryover_flags(reports: list[StoredReport]) -> list[DatasetFlag]:
    """This year's 上年结转 against last year's 结转下年度继续办理, per applicant column."""
    flags = []
    for last, this in _previous_years(reports):
        differ = []
        for column in APPLICANT_COLUMNS:
            over = this.cells.get(("applications", "carried_over", column))
            forward = last.cells.get(("applications", "carried_forward", column))
            if over is not None and forward is not None and over != forward:
                differ.append(f"{column}: carried_over {_fmt(over)} ≠ carried_forward {_fmt(forward)}")
        if differ:
            detail = (f"{this.year} report carries over what the {last.year} report did not carry forward: "
                      f"{'; '.join(differ)} ({this.name()} {this.url or ''} vs {last.name()} {last.url or ''})")
            flags.append(DatasetFlag(this.id, "balance_mismatch", f"carried_over vs {last.year}", flag("balance_mismatch", detail)["detail"]))
    return flags


# ------------------------------------------------------------------ hierarchy

# A report on a whole region (all its bodies together) says so in its title or agency name.
SUMMARY_MARKERS = ("全省", "全自治区", "全市", "全州", "全盟", "全县", "全区", "全旗", "汇总")
HIERARCHY_FIGURES: tuple[Cell, ...] = (
    ("applications", "new_received", "total"),
    ("applications", "carried_over", "total"),
    ("applications", "total_handled", "total"),
    ("applications", "carried_forward", "total"),
    ("appeals", "review", "total"),
    ("appeals", "suit_direct", "total"),
    ("appeals", "suit_after_review", "total"),
)


def is_summary(report: StoredReport) -> bool:
    text = f"{report.title or ''} {report.agency or ''}"
    return any(marker in text for marker in SUMMARY_MARKERS)


def region_prefix(code: str | None) -> str | None:
    """341700 → 3417: the codes of a region's own bodies and of the regions below it start with it."""
    if not code or not code.isdigit():
        return None
    trimmed = code
    while len(trimmed) > 2 and trimmed.endswith("00"):
        trimmed = trimmed[:-2]
    return trimmed


class HierarchyCheck(NamedTuple):
    report_id: int            # the summary report
    year: int
    region: str
    bodies_found: int         # covered bodies with a report for the year
    bodies_known: int         # covered bodies with a report for any year
    figure: str
    summary_value: float | None
    bodies_sum: float | None
    status: str               # match | mismatch | coverage (an incomplete set that does not exceed the summary)


def hierarchy_checks(reports: list[StoredReport]) -> list[HierarchyCheck]:
    """Each summary report's figures against the sum over the (non-summary) reports of the
    bodies in its region for the same year. Only a complete set can disagree either way; an
    incomplete one disagrees only when its sum already exceeds the summary's figure."""
    checks = []
    # the bodies under each code prefix, by year: a summary reads its region's alone (national
    # scale is thousands of summaries over hundreds of thousands of reports)
    regions: dict[str, tuple[dict[int, list[StoredReport]], set[str]]] = {}
    for body in reports:
        if is_summary(body) or not region_prefix(body.region_code):
            continue
        for end in range(1, len(body.region_code) + 1):
            by_year, known = regions.setdefault(body.region_code[:end], ({}, set()))
            by_year.setdefault(body.year, []).append(body)
            known.add(body.agency_key)
    for summary in reports:
        region = region_prefix(summary.region_code)
        if not region or not summary.year or not is_summary(summary) or region not in regions:
            continue
        by_year, known = regions[region]
        known_count = len(known) - (summary.agency_key in known)
        found = [b for b in by_year.get(summary.year, ()) if b.agency_key != summary.agency_key]
        if not found:
            continue
        complete = len({b.agency_key for b in found}) == known_count
        for cell in HIERARCHY_FIGURES:
            value = summary.cells.get(cell)
            parts = [b.cells.get(cell) for b in found]
            total = sum(p for p in parts if p is not None)
            if value is None:
                continue
            if complete and None not in parts:
                status = "match" if total == value else "mismatch"
            else:
                status = "mismatch" if total > value else "coverage"
            checks.append(HierarchyCheck(summary.id, summary.year, region, len({b.agency_key for b in found}), known_count,
                                         _label(cell), value, total, status))
    return checks


def hierarchy_flags(checks: list[HierarchyCheck]) -> list[DatasetFlag]:
    by_report: dict[int, list[HierarchyCheck]] = {}
    for check in checks:
        if check.status == "mismatch":
            by_report.setdefault(check.report_id, []).append(check)
    flags = []
    for report_id, wrong in by_report.items():
        first = wrong[0]
        figures = "; ".join(f"{c.figure}: summary {_fmt(c.summary_value)} vs bodies {_fmt(c.bodies_sum)}" for c in wrong)
        detail = (f"{figures} (sum over {first.bodies_found} of the {first.bodies_known} bodies of region {first.region} "
                  f"found in the dataset for {first.year})")
        flags.append(DatasetFlag(report_id, "hierarchy_mismatch", "covered bodies", flag("hierarchy_mismatch", detail)["detail"]))
    return flags


# every cell the checks read: a caller need not load the others
CELLS_USED: frozenset[Cell] = frozenset({*YOY_FIGURES, *HIERARCHY_FIGURES,
                                         *(("applications", row, column) for row in ("carried_over", "carried_forward")
                                           for column in APPLICANT_COLUMNS)})


def dataset_flags(reports: list[StoredReport]) -> tuple[list[DatasetFlag], list[HierarchyCheck]]:
    checks = hierarchy_checks(reports)
    return yoy_flags(reports) + carryover_flags(reports) + hierarchy_flags(checks), checks
