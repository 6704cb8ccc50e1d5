"""The dataset-level tables and views, and the run of crawler.dataset's checks over the database.

Dataset flags live in `flags` beside the report's own, with scope = 'dataset'. Each run deletes
and recomputes all of them (and `hierarchy_checks`), so a check that no longer applies leaves no
flag behind and a second run adds nothing. Reviews (`flag_reviews`) are never touched here.

`agency_series` (one row per report with the figures compared over years) is a summary table
kept in step with `reports` and `cells` by every merge (refresh_series) and every run of the
checks (the flag counts), so that browsing and faceting it never regroups every cell.
"""
from __future__ import annotations

import json

from .dataset import CELLS_USED, StoredReport, dataset_flags
from .review import flag_subject
from .schema import APPLICANT_COLUMNS, rows_in_group

# one row per report with the figures researchers chart and compare over years
_OUTCOME_GROUPS = {group: rows_in_group(group) for group in ("denied", "unavailable", "rejected")}


def _total(rows) -> str:
    keys = ", ".join(f"'{r}'" for r in rows)
    return f"sum(CASE WHEN c.\"table\" = 'applications' AND c.\"column\" = 'total' AND c.row IN ({keys}) THEN c.value END)"


def _cell(table: str, row: str, column: str) -> str:
    return f"max(CASE WHEN c.\"table\" = '{table}' AND c.row = '{row}' AND c.\"column\" = '{column}' THEN c.value END)"


# the summary's columns, in the order the view they replace had them
SERIES_COLUMNS = {
    "report_id": int, "agency_key": str, "agency": str, "year": int, "template": str, "region_code": str, "level": str,
    "published": str, "published_late": int, "new_received": float,
    **{f"new_{c}": float for c in APPLICANT_COLUMNS[:-1]},
    **{name: float for name in ("carried_over", "granted", "partially_granted", "denied", "unavailable", "rejected",
                                "other_handling", "total_handled", "carried_forward", "reviews", "suits_direct",
                                "suits_after_review")},
    "flag_count": int, "flag_codes": str,
}
# what the canned query agency_over_years, the agency dashboard and the configured facets look up
SERIES_INDEXES = [["agency", "year"], ["agency_key", "year"], ["year"], ["level"], ["region_code"]]

SERIES_ROWS = f"""
SELECT r.id AS report_id, r.agency_key, r.agency, r.year, r.template, r.region_code, r.level, r.published,
  CASE WHEN r.published > (r.year + 1) || '-01-31' THEN 1 ELSE 0 END AS published_late,
  {_cell('applications', 'new_received', 'total')} AS new_received,
  {", ".join(f"{_cell('applications', 'new_received', c)} AS new_{c}" for c in APPLICANT_COLUMNS[:-1])},
  {_cell('applications', 'carried_over', 'total')} AS carried_over,
  {_cell('applications', 'granted', 'total')} AS granted,
  {_cell('applications', 'partially_granted', 'total')} AS partially_granted,
  {_total(_OUTCOME_GROUPS['denied'])} AS denied,
  {_total(_OUTCOME_GROUPS['unavailable'])} AS unavailable,
  {_total(_OUTCOME_GROUPS['rejected'])} AS rejected,
  {_cell('applications', 'other', 'total')} AS other_handling,
  {_cell('applications', 'total_handled', 'total')} AS total_handled,
  {_cell('applications', 'carried_forward', 'total')} AS carried_forward,
  {_cell('appeals', 'review', 'total')} AS reviews,
  {_cell('appeals', 'suit_direct', 'total')} AS suits_direct,
  {_cell('appeals', 'suit_after_review', 'total')} AS suits_after_review,
  r.flag_count, r.flag_codes
FROM reports r LEFT JOIN cells c ON c.report_id = r.id {{where}}
GROUP BY r.id"""

FLAGS_REVIEWED_VIEW = """
SELECT f.id AS flag_id, f.report_id, r.agency, r.agency_key, r.year, f.code, f.subject, f.scope, f.detail,
  coalesce(v.status, 'open') AS review_status, v.note AS review_note, v.reviewer, v.reviewed_at
FROM flags f JOIN reports r ON r.id = f.report_id
LEFT JOIN flag_reviews v ON v.agency_key = r.agency_key AND v.year = coalesce(r.year, 0)
  AND v.code = f.code AND v.subject = f.subject"""


def ensure_schema(db) -> None:
    """The tables and views of this module (called by store.ensure_schema)."""
    if "flag_reviews" not in db.table_names():
        db["flag_reviews"].create({"agency_key": str, "year": int, "code": str, "subject": str, "status": str,
                                   "note": str, "reviewer": str, "reviewed_at": str},
                                  pk=("agency_key", "year", "code", "subject"))
    if "hierarchy_checks" not in db.table_names():
        db["hierarchy_checks"].create({"report_id": int, "year": int, "region": str, "bodies_found": int,
                                       "bodies_known": int, "figure": str, "summary_value": float, "bodies_sum": float,
                                       "status": str}, foreign_keys=[("report_id", "reports", "id")])
        db["hierarchy_checks"].create_index(["report_id"])
    if "agency_series" in db.view_names():      # a view before the summary table; filled below
        db.execute("DROP VIEW agency_series")
    if "agency_series" not in db.table_names():
        db["agency_series"].create(SERIES_COLUMNS, pk="report_id", foreign_keys=[("report_id", "reports", "id")])
        for columns in SERIES_INDEXES:
            db["agency_series"].create_index(columns)
        db.execute(f"INSERT INTO agency_series {SERIES_ROWS.format(where='')}")
    db.create_view("flags_reviewed", FLAGS_REVIEWED_VIEW, replace=True)


def refresh_series(db, report_id: int) -> None:
    """agency_series' row of one report, from its row and cells (none once the report is gone)."""
    db.execute("DELETE FROM agency_series WHERE report_id = ?", [report_id])
    db.execute(f"INSERT INTO agency_series {SERIES_ROWS.format(where='WHERE r.id = :id')}", {"id": report_id})


def stored_reports(db) -> list[StoredReport]:
    reports = {r["id"]: StoredReport(r["id"], r["agency_key"], r["year"], r["agency"], r["title"], r["region_code"],
                                     r["level"], r["best_url"])
               for r in db.query("SELECT id, agency_key, year, agency, title, region_code, level, best_url FROM reports "
                                 "WHERE year IS NOT NULL")}
    rows = sorted({row for _, row, _ in CELLS_USED})
    for c in db.query(f'SELECT report_id, "table", row, "column", value FROM cells WHERE row IN ({", ".join("?" * len(rows))})', rows):
        key = (c["table"], c["row"], c["column"])
        if c["report_id"] in reports and key in CELLS_USED:
            reports[c["report_id"]].cells[key] = c["value"]
    return list(reports.values())


def refresh(db) -> dict[str, int]:
    """Recompute the dataset flags and hierarchy checks; update each report's flag count and codes."""
    from .store import write_transaction  # store builds on this module
    flags, checks = dataset_flags(stored_reports(db))
    with write_transaction(db):
        # flags stored before flags had a subject (a database from an older version) get theirs
        for row in list(db.query("SELECT id, code, detail FROM flags WHERE subject IS NULL")):
            db["flags"].update(row["id"], {"subject": flag_subject(row), "scope": "report"})
        db.execute("DELETE FROM flags WHERE scope = 'dataset'")
        db.execute("DELETE FROM hierarchy_checks")
        db["flags"].insert_all({"report_id": f.report_id, "code": f.code, "detail": f.detail, "subject": f.subject,
                                "scope": "dataset"} for f in flags)
        db["hierarchy_checks"].insert_all(c._asdict() for c in checks)
        counts: dict[int, list[str]] = {}
        for row in db.query("SELECT report_id, code FROM flags"):
            counts.setdefault(row["report_id"], []).append(row["code"])
        for report in db.query("SELECT id, flag_count, flag_codes FROM reports"):
            codes = counts.get(report["id"], [])
            update = {"flag_count": len(codes), "flag_codes": json.dumps(sorted(set(codes)))}
            if (report["flag_count"], report["flag_codes"]) != (update["flag_count"], update["flag_codes"]):
                db["reports"].update(report["id"], update)
                db.execute("UPDATE agency_series SET flag_count = :flag_count, flag_codes = :flag_codes WHERE report_id = :id",
                           {**update, "id": report["id"]})
    summary: dict[str, int] = {}
    for f in flags:
        summary[f.code] = summary.get(f.code, 0) + 1
    summary["hierarchy_coverage"] = sum(1 for c in checks if c.status == "coverage")
    return summary
