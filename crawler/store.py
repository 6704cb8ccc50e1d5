"""The SQLite dataset: one row per agency-year, every source kept with its raw bytes.

Each fetched item is written in one transaction. A report's row, cells and flags are
always recomputed from all parsed sources of its agency-year, so a republished copy, a
second URL or next month's crawl merges into the same report instead of adding one.
"""
from __future__ import annotations

import hashlib
import json
import zlib
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from . import PARSER_VERSION
from .schema import APPLICANT_COLUMNS, CONSISTENCY_FLAGS, SOURCE_FLAGS, STRUCTURE_FLAGS, TABLES, flag


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def open_db(path: str | Path) -> sqlite_utils.Database:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.conn.execute("PRAGMA foreign_keys = ON")
    db.conn.execute("PRAGMA busy_timeout = 30000")    # an overlapping scheduled crawl waits instead of failing
    if db.journal_mode != "wal":
        db.enable_wal()
    ensure_schema(db)
    return db


# table: (columns, primary key, foreign keys, indexes)
SCHEMA = {
    "reports": ({
        "id": int, "agency_key": str, "year": int, "agency": str, "agency_raw": str, "template": str,
        "published": str, "title": str, "publisher": str, "index_no": str, "portal": str, "region_code": str,
        "level": str, "best_source_id": int, "best_url": str, "flag_count": int, "flag_codes": str, "versions": int,
        "parser_version": str, "first_seen": str, "updated_at": str,
    }, "id", [], [["year"], ["region_code"], ["template"], ["flag_count"]]),
    "sources": ({
        "id": int, "report_id": int, "report_key": str, "url": str, "final_url": str, "kind": str, "part": int,
        "main_source_id": int, "portal": str, "region_code": str, "level": str, "fetched_at": str, "last_seen": str,
        "status": int, "content_type": str, "encoding": str, "format": str, "sha256": str, "size": int, "headers": str,
        "body": bytes, "compression": str, "parse_status": str, "parse_error": str, "parsed": str, "parser_version": str,
    }, "id", [("report_id", "reports", "id")], [["report_id"], ["report_key"], ["url", "sha256"], ["parse_status"], ["main_source_id"]]),
    "cells": ({"report_id": int, "table": str, "row": str, "column": str, "value": float, "position": int},
              ("report_id", "table", "row", "column"), [("report_id", "reports", "id")], [["table", "row", "column"]]),
    "flags": ({"id": int, "report_id": int, "code": str, "detail": str}, "id", [("report_id", "reports", "id")],
              [["report_id"], ["code"]]),
    "crawl_runs": ({"id": int, "started_at": str, "finished_at": str, "arguments": str, "stats": str,
                    "reports_before": int, "reports_after": int}, "id", [], []),
}


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create what is missing; columns added by a newer version are added to older databases."""
    for name, (columns, pk, foreign_keys, indexes) in SCHEMA.items():
        table = db[name]
        if name not in db.table_names():
            table.create(columns, pk=pk, foreign_keys=foreign_keys, not_null={"agency_key"} if name == "reports" else None)
            for index in indexes:
                table.create_index(index)
            if name == "reports":
                table.create_index(["agency_key", "year"], unique=True)
            continue
        for column, kind in columns.items():
            if column not in table.columns_dict:
                table.add_column(column, kind)
    columns = ",\n  ".join(f"max(CASE WHEN c.\"column\" = '{c}' THEN c.value END) AS {c}" for c in APPLICANT_COLUMNS)
    db.create_view("applications_wide", f"""
SELECT r.id AS report_id, r.agency, r.year, r.template, c.row,
  {columns}
FROM cells c JOIN reports r ON r.id = c.report_id
WHERE c."table" = 'applications'
GROUP BY r.id, c.row
ORDER BY r.agency, r.year, min(c.position)""", replace=True)


# ------------------------------------------------------------------ writing

def report_key(parsed: dict, sha256: str) -> str:
    """agency + year; a report whose agency or year is unknown is its own key."""
    if parsed.get("agency_key") and parsed.get("year"):
        return f"{parsed['agency_key']}|{parsed['year']}"
    return f"?|{sha256[:16]}"


def store_fetch(db: sqlite_utils.Database, item: dict, outcome: tuple[str, object]) -> dict:
    """Write one fetched item (page or attachment, with its continuation pages) and the
    outcome of parsing it, in one transaction. Returns what happened, for the crawl stats."""
    status, result = outcome
    with db.atomic():
        main_id, is_new = _upsert_source(db, item, part=0, main_id=None)
        for part, extra in enumerate(item.get("continuations") or (), start=1):
            _upsert_source(db, {**item, **extra}, part=part, main_id=main_id)
        update = {"parse_status": status, "parser_version": PARSER_VERSION, "last_seen": item.get("fetched_at") or now()}
        if status == "report":
            key = report_key(result, _sha(item["body"]))
            # a report can still come with fetch problems (a continuation page that failed)
            update.update(parsed=json.dumps(result, ensure_ascii=False), report_key=key,
                          parse_error="; ".join(item.get("errors", [])) or None,
                          encoding=result["source"].get("encoding"), format=result["source"].get("format"))
            db["sources"].update(main_id, update)
            report_id, created = merge_report(db, key)
            return {"status": status, "key": key, "report_id": report_id, "new_report": created, "new_source": is_new}
        errors = "; ".join([str(result), *item.get("errors", [])])
        db["sources"].update(main_id, {**update, "parse_error": errors, "parsed": None, "report_key": None, "report_id": None})
        return {"status": status, "new_source": is_new}


def _sha(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _upsert_source(db, item: dict, part: int, main_id: int | None) -> tuple[int, bool]:
    body = item["body"]
    sha = _sha(body)
    portal = item.get("portal") or {}
    existing = next(db.query("SELECT id FROM sources WHERE url = ? AND sha256 = ? AND part = ?", [item["url"], sha, part]), None)
    if existing:
        db["sources"].update(existing["id"], {"last_seen": item.get("fetched_at") or now(), "status": item.get("status")})
        return existing["id"], False
    row = {
        "url": item["url"], "final_url": item.get("final_url") or item["url"], "kind": item.get("kind", "page"),
        "part": part, "main_source_id": main_id, "portal": portal.get("agency"),
        "region_code": portal.get("region_code"), "level": portal.get("level"),
        "fetched_at": item.get("fetched_at") or now(), "last_seen": item.get("fetched_at") or now(),
        "status": item.get("status"), "content_type": item.get("content_type"), "encoding": None, "format": None,
        "sha256": sha, "size": len(body), "headers": json.dumps(item.get("headers") or {}, ensure_ascii=False),
        "body": zlib.compress(body, 6), "compression": "zlib", "parse_status": "continuation" if part else "pending",
    }
    return db["sources"].insert(row).last_pk, True


def source_body(row: dict) -> bytes:
    return zlib.decompress(row["body"]) if row.get("compression") == "zlib" else row["body"]


def _version_rank(version: dict):
    parsed = version["parsed"]
    codes = [f["code"] for f in parsed["flags"]]
    tables = sum(1 for name in TABLES if parsed.get(name))
    return (tables, -sum(c in STRUCTURE_FLAGS for c in codes), -sum(c in CONSISTENCY_FLAGS for c in codes),
            -sum(c in SOURCE_FLAGS for c in codes), parsed.get("published") or "")


def choose_best(versions: list[dict]) -> dict:
    """The version to show: most complete tables, then fewest structural, 勾稽 and doubtful-copy
    (spam, agency) flags, then the latest publication date (a corrected re-issue); among equals
    the first URL in alphabetical order, so the choice never depends on the order pages were crawled."""
    ranked = sorted(versions, key=lambda v: v["url"])
    return max(ranked, key=_version_rank)


def flatten_cells(parsed: dict) -> dict[tuple[str, str, str], object]:
    return {(table, row, column): value
            for table in TABLES for row, columns in (parsed.get(table) or {}).items()
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
                 "parsed": json.loads(r["parsed"])}
                for r in db.query("SELECT id, url, fetched_at, portal, parsed FROM sources "
                                  "WHERE report_key = ? AND parse_status = 'report' ORDER BY id", [key])]
    agency_key, year = _split_key(key)
    existing = next(db.query("SELECT id, first_seen FROM reports WHERE agency_key = ? AND year IS ?", [agency_key, year]), None)
    if not versions:
        if existing:
            _delete_report(db, existing["id"])
        return None, False
    best = choose_best(versions)
    parsed = best["parsed"]
    flags = list(parsed["flags"])
    disagreements = conflicts(best, [v for v in versions if v is not best])
    if disagreements:
        flags.append(flag("conflicting_versions",
                          f"{len(disagreements)} cells differ between versions, e.g. {disagreements[0]}"))
    portal = _portal_of(db, best["source_id"])
    row = {
        "agency_key": agency_key, "year": year, "agency": parsed.get("agency"),
        "agency_raw": parsed.get("agency_raw"), "template": parsed.get("template"), "published": parsed.get("published"),
        "title": parsed.get("title"), "publisher": parsed.get("publisher"), "index_no": parsed.get("index_no"),
        "portal": portal.get("agency"), "region_code": portal.get("region_code"), "level": portal.get("level"),
        "best_source_id": best["source_id"], "best_url": best["url"], "flag_count": len(flags),
        "flag_codes": json.dumps(sorted({f["code"] for f in flags})),
        "versions": len(versions), "parser_version": parsed.get("parser_version"), "updated_at": now(),
        "first_seen": existing["first_seen"] if existing else now(),
    }
    if existing:
        report_id = existing["id"]
        db["reports"].update(report_id, row)
    else:
        report_id = db["reports"].insert(row).last_pk
    db.execute("DELETE FROM cells WHERE report_id = ?", [report_id])
    db.execute("DELETE FROM flags WHERE report_id = ?", [report_id])
    db["cells"].insert_all(
        ({"report_id": report_id, "table": t, "row": r, "column": c, "value": v, "position": i}
         for i, ((t, r, c), v) in enumerate(flatten_cells(parsed).items())))
    db["flags"].insert_all({"report_id": report_id, "code": f["code"], "detail": f["detail"]} for f in flags)
    db.execute("UPDATE sources SET report_id = ? WHERE report_key = ?", [report_id, key])
    db.execute("UPDATE sources SET report_id = ? WHERE main_source_id IN (SELECT id FROM sources WHERE report_key = ?)",
               [report_id, key])
    return report_id, existing is None


def _split_key(key: str) -> tuple[str, int | None]:
    agency, _, year = key.partition("|")
    return (key, None) if agency == "?" else (agency, int(year))


def _portal_of(db, source_id: int) -> dict:
    return next(db.query("SELECT portal AS agency, region_code, level FROM sources WHERE id = ?", [source_id]), {})


def _delete_report(db, report_id: int) -> None:
    db.execute("UPDATE sources SET report_id = NULL WHERE report_id = ?", [report_id])
    db.execute("DELETE FROM cells WHERE report_id = ?", [report_id])
    db.execute("DELETE FROM flags WHERE report_id = ?", [report_id])
    db.execute("DELETE FROM reports WHERE id = ?", [report_id])


def record_run(db, started_at: str, arguments: dict, stats: dict, reports_before: int) -> int:
    with db.atomic():
        return db["crawl_runs"].insert({
            "started_at": started_at, "finished_at": now(), "arguments": json.dumps(arguments, ensure_ascii=False, default=str),
            "stats": json.dumps(stats, ensure_ascii=False, default=str), "reports_before": reports_before,
            "reports_after": db["reports"].count,
        }).last_pk


# ------------------------------------------------------------------ re-parsing and export

def reparse(db: sqlite_utils.Database, parse=None, progress=None) -> dict:
    """Parse every stored main source again from its raw bytes (no network) and rebuild
    the reports, cells and flags from the new results."""
    from .jobs import parse_job
    parse = parse or parse_job
    counts: dict[str, int] = {}
    keys_before = {r["report_key"] for r in db.query("SELECT DISTINCT report_key FROM sources WHERE report_key IS NOT NULL")}
    mains = [r["id"] for r in db.query("SELECT id FROM sources WHERE part = 0 ORDER BY id")]
    for n, source_id in enumerate(mains, start=1):
        row = db["sources"].get(source_id)
        parts = [source_body(p) for p in db.query("SELECT body, compression FROM sources WHERE main_source_id = ? ORDER BY part", [source_id])]
        portal = _portal_of(db, source_id)
        status, result = parse(source_body(row), row["final_url"] or row["url"], row["content_type"], portal.get("agency"), parts)
        counts[status] = counts.get(status, 0) + 1
        with db.atomic():
            update = {"parse_status": status, "parser_version": PARSER_VERSION}
            if status == "report":
                update.update(parsed=json.dumps(result, ensure_ascii=False), parse_error=None,
                              report_key=report_key(result, row["sha256"]), encoding=result["source"].get("encoding"),
                              format=result["source"].get("format"))
            else:
                update.update(parsed=None, parse_error=str(result), report_key=None, report_id=None)
            db["sources"].update(source_id, update)
        if progress:
            progress(n, len(mains))
    keys_after = {r["report_key"] for r in db.query("SELECT DISTINCT report_key FROM sources WHERE report_key IS NOT NULL")}
    with db.atomic():
        for key in sorted(keys_before | keys_after):
            merge_report(db, key)
        # reports whose every source now parses under another key
        for orphan in db.query("SELECT id FROM reports WHERE id NOT IN (SELECT report_id FROM sources WHERE report_id IS NOT NULL)"):
            _delete_report(db, orphan["id"])
    counts["reports"] = db["reports"].count
    return counts


EXPORT_QUERIES = {
    "reports": "SELECT id, agency, year, template, published, region_code, level, portal, best_url, flag_count, versions, "
               "agency_raw, title, publisher, index_no, parser_version FROM reports ORDER BY agency, year",
    "cells": "SELECT r.agency, r.year, c.\"table\", c.row, c.\"column\", c.value, c.report_id FROM cells c "
             "JOIN reports r ON r.id = c.report_id ORDER BY r.agency, r.year, c.position",
    "flags": "SELECT r.agency, r.year, f.code, f.detail, f.report_id FROM flags f JOIN reports r ON r.id = f.report_id "
             "ORDER BY r.agency, r.year, f.code",
    "sources": "SELECT id, report_id, url, final_url, kind, part, portal, fetched_at, status, content_type, encoding, format, "
               "sha256, size, parse_status, parse_error FROM sources ORDER BY id",
}


def export(db: sqlite_utils.Database, out_dir: str | Path, fmt: str = "csv") -> list[Path]:
    """Flat files for people who don't use SQL: one per table (csv), or one JSON object per
    report in the schema's shape (jsonl)."""
    import csv
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    if fmt == "jsonl":
        path = out / "reports.jsonl"
        with path.open("w", encoding="utf-8") as f:
            for row in db.query("SELECT r.id, r.flag_count, r.versions, r.region_code, r.best_url, s.parsed FROM reports r "
                                "JOIN sources s ON s.id = r.best_source_id ORDER BY r.agency, r.year"):
                report = json.loads(row["parsed"])
                report["flags"] = [{"code": f["code"], "detail": f["detail"]}
                                   for f in db.query("SELECT code, detail FROM flags WHERE report_id = ? ORDER BY id", [row["id"]])]
                report.update(report_id=row["id"], region_code=row["region_code"], versions=row["versions"], url=row["best_url"])
                f.write(json.dumps(report, ensure_ascii=False) + "\n")
        return [path]
    if fmt != "csv":
        raise ValueError(f"unknown export format {fmt!r}: use csv or jsonl")
    for name, sql in EXPORT_QUERIES.items():
        path = out / f"{name}.csv"
        cursor = db.execute(sql)
        # utf-8-sig so Excel opens the Chinese text correctly
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow([d[0] for d in cursor.description])
            writer.writerows(cursor.fetchall())
        written.append(path)
    return written
