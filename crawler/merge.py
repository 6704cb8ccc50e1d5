"""Which version of a report to show, and the report's row, cells and flags rebuilt from all
its parsed sources: a copy on a mirror, a corrected re-issue and last month's crawl of the
same agency-year all merge here."""
from __future__ import annotations

import json

import sqlite_utils

from .datasetstore import refresh_series
from .items import utc_now
from .review import flag_subject
from .schema import CONSISTENCY_FLAGS, SOURCE_FLAGS, STRUCTURE_FLAGS, TABLES, flag
from .store import delete_report, portal_of, refresh_wide, split_key


def _version_rank(version: dict):
    parsed = version["parsed"]
    codes = [f["code"] for f in parsed["flags"]]
    tables = sum(1 for name in TABLES if parsed.get(name))
    # a copy that misspells the agency (crawler.respell) is as doubtful as one with a source flag
    doubtful = sum(c in SOURCE_FLAGS for c in codes) + bool(version.get("respelled"))
    return (tables, -sum(c in STRUCTURE_FLAGS for c in codes), -sum(c in CONSISTENCY_FLAGS for c in codes),
            -doubtful, parsed.get("published") or "")


def choose_best(versions: list[dict]) -> dict:
    """The version to show: most complete tables, then fewest structural, 勾稽 and doubtful-copy
    (spam, agency) flags, then the latest publication date (a corrected re-issue); among equals
    the first URL in alphabetical order, so the choice never depends on the order pages were crawled."""
    ranked = sorted(versions, key=lambda v: v["url"])
    return max(ranked, key=_version_rank)


def flatten_cells(parsed: dict) -> dict[tuple[str, str, str], object]:
    return {(table, row, column): value
            for table in TABLES for row, columns in parsed[table].items()
            for column, value in columns.items()}


def conflicts(best: dict, others: list[dict]) -> list[str]:
    """Cells where another version prints a different number than the best one."""
    mine = flatten_cells(best["parsed"])
    found = []
    for other in others:
        theirs = flatten_cells(other["parsed"])
        for cell, value in mine.items():
            if value is not None and theirs.get(cell) is not None and theirs[cell] != value:
                found.append(f"{'.'.join(cell)}: {value} ({best['url']}) vs {theirs[cell]} ({other['url']})")
    return found


def merge_report(db: sqlite_utils.Database, key: str) -> tuple[int | None, bool]:
    """Recompute the report row, cells and flags of `key` from all its parsed sources."""
    versions = [{"source_id": r["id"], "url": r["url"], "fetched_at": r["fetched_at"], "portal": r["portal"],
                 "respelled": r["respelled"], "parsed": json.loads(r["parsed"])}
                for r in db.query("SELECT id, url, fetched_at, portal, respelled, parsed FROM sources "
                                  "WHERE report_key = ? AND parse_status = 'report' ORDER BY id", [key])]
    agency_key, year = split_key(key)
    existing = next(db.query("SELECT id, first_seen FROM reports WHERE agency_key = ? AND year IS ?", [agency_key, year]), None)
    if not versions:
        if existing:
            delete_report(db, existing["id"])
        return None, False
    best = choose_best(versions)
    parsed = best["parsed"]
    flags = list(parsed["flags"])
    disagreements = conflicts(best, [v for v in versions if v is not best])
    if disagreements:
        flags.append(flag("conflicting_versions",
                          f"{len(disagreements)} cells differ between versions, e.g. {disagreements[0]}"))
    respelled = [v for v in versions if v["respelled"]]
    if respelled:
        flags.append(flag("agency_respelled", "; ".join(f"{v['respelled']} ({v['url']})" for v in respelled[:3])
                          + (f"; and {len(respelled) - 3} more" if len(respelled) > 3 else "")))
    # the agency as a correctly spelled version prints it (else its key); agency_raw stays as printed
    agency = next((v["parsed"].get("agency") for v in [best, *versions] if not v["respelled"]), agency_key)
    portal = portal_of(db, best["source_id"])
    row = {
        "agency_key": agency_key, "year": year, "agency": agency,
        "agency_raw": parsed.get("agency_raw"), "template": parsed.get("template"), "published": parsed.get("published"),
        "title": parsed.get("title"), "publisher": parsed.get("publisher"), "index_no": parsed.get("index_no"),
        "portal": portal.get("agency"), "region_code": portal.get("region_code"), "level": portal.get("level"),
        "best_source_id": best["source_id"], "best_url": best["url"], "flag_count": len(flags),
        "flag_codes": json.dumps(sorted({f["code"] for f in flags})),
        "versions": len(versions), "parser_version": parsed.get("parser_version"), "updated_at": utc_now(),
        "first_seen": existing["first_seen"] if existing else utc_now(),
    }
    if existing:
        report_id = existing["id"]
        db["reports"].update(report_id, row)
    else:
        report_id = db["reports"].insert(row).last_pk
    db.execute("DELETE FROM cells WHERE report_id = ?", [report_id])
    db.execute("DELETE FROM flags WHERE report_id = ?", [report_id])
    # plain executemany: a report has some 200 cells, and sqlite-utils' per-value checks cost more than the writes
    db.conn.executemany('INSERT INTO cells (report_id, "table", "row", "column", value, position) VALUES (?, ?, ?, ?, ?, ?)',
                        [(report_id, t, r, c, v, i) for i, ((t, r, c), v) in enumerate(flatten_cells(parsed).items())])
    db["flags"].insert_all({"report_id": report_id, "code": f["code"], "detail": f["detail"], "subject": flag_subject(f),
                            "scope": "report"} for f in flags)
    refresh_wide(db, report_id)
    refresh_series(db, report_id)
    db.execute("UPDATE sources SET report_id = ? WHERE report_key = ?", [report_id, key])
    db.execute("UPDATE sources SET report_id = ? WHERE main_source_id IN (SELECT id FROM sources WHERE report_key = ?)",
               [report_id, key])
    return report_id, existing is None
