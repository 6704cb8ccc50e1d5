"""Flag review: researchers mark each flag confirmed or dismissed, with a note.

A review belongs to the flag's identity, not to its row: the report's agency_key and year, the
flag code, and the flag's subject (what it is about). Flag rows are rebuilt by every merge,
reparse and dataset check; the reviews table is never touched by them, so a review follows its
flag through re-parses and re-crawls and comes back if the flag does.
"""
from __future__ import annotations

import re

from .schema import APPEAL_KINDS, APPLICANT_COLUMNS, APPLICATION_ROWS, Flag

REVIEW_STATUSES = ("open", "confirmed", "dismissed")
# "natural_person: 45 + 0 != 46 + 0" is about natural_person; so is "review: 1 + 0 ... != total 2".
_SUBJECT_KEYS = frozenset((*APPLICANT_COLUMNS, *APPLICATION_ROWS, *APPEAL_KINDS))
_LEADING_KEY = re.compile(r"^([a-z_.]+):")
_FIGURES = re.compile(r"\d+(?:\.\d+)?")


def flag_subject(item: Flag | dict) -> str:
    """What a flag is about, in words that stay the same when its figures change: an explicit
    subject (dataset checks give one), the schema key the detail starts with, or else the
    detail with its figures blanked (a flag code occurs once per report for most codes)."""
    if item.get("subject"):
        return item["subject"]
    detail = item.get("detail") or ""
    lead = _LEADING_KEY.match(detail)
    if lead and lead.group(1) in _SUBJECT_KEYS:
        return lead.group(1)
    return _FIGURES.sub("#", detail)[:200]


REVIEWS_SQL = """
INSERT INTO flag_reviews (agency_key, year, code, subject, status, note, reviewer, reviewed_at)
SELECT r.agency_key, coalesce(r.year, 0), f.code, f.subject, :status, :note, :reviewer, datetime('now')
FROM flags f JOIN reports r ON r.id = f.report_id
WHERE f.id = :flag_id AND :status IN ('open', 'confirmed', 'dismissed')
ON CONFLICT (agency_key, year, code, subject) DO UPDATE SET
  status = excluded.status, note = excluded.note, reviewer = excluded.reviewer, reviewed_at = excluded.reviewed_at
"""


def set_review(db, flag_id: int, status: str, note: str = "", reviewer: str | None = None) -> None:
    """The same statement datasette's review_flag canned query runs."""
    if status not in REVIEW_STATUSES:
        raise ValueError(f"unknown review status {status!r}: use {', '.join(REVIEW_STATUSES)}")
    with db.conn:
        db.conn.execute(REVIEWS_SQL, {"flag_id": flag_id, "status": status, "note": note, "reviewer": reviewer})
