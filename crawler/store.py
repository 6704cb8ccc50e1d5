"""The SQLite dataset: one row per agency-year, every source kept with its raw bytes.

Each fetched item is written in one transaction. A report's row, cells and flags are
always recomputed from all parsed sources of its agency-year (crawler.merge), so a
republished copy, a second URL or next month's crawl merges into the same report
instead of adding one.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import time
import zlib
from pathlib import Path

import sqlite_utils

from . import PARSER_VERSION, datasetstore
from .attachments import sniff_format
from .items import Fetched, ReportItem
from .sanitize import without_surrogates
from .schema import APPLICANT_COLUMNS, ParseOutcome


def open_db(path: str | Path) -> sqlite_utils.Database:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.conn.execute("PRAGMA foreign_keys = ON")
    db.conn.execute("PRAGMA busy_timeout = 30000")    # an overlapping scheduled crawl waits instead of failing
    if db.journal_mode != "wal":
        db.enable_wal()
    # WAL keeps the file consistent on a crash with NORMAL; FULL would fsync every item's commit
    db.conn.execute("PRAGMA synchronous = NORMAL")
    # 64 MiB of page cache (the default is 2): the indexes a write touches stay in memory as the
    # database grows to national size, so a write costs the same at 10 000 reports as at 300
    db.conn.execute("PRAGMA cache_size = -65536")
    with write_transaction(db):     # two crawls starting on a new database create it once
        ensure_schema(db)
    if "sqlite_stat1" not in db.table_names() and db["reports"].count:
        optimize(db)        # a database written before statistics were kept
    return db


def optimize(db: sqlite_utils.Database) -> None:
    """Refresh the query planner's statistics (bounded sampling, milliseconds even on a national
    database), so lookups keep using the indexes that fit them as the tables grow."""
    db.conn.execute("PRAGMA analysis_limit = 1000")
    db.conn.execute("ANALYZE")
    db.conn.execute("PRAGMA optimize")


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
        # the agency key as parsed, and why report_key names another spelling of it (crawler.respell)
        "agency_key": str, "respelled": str,
    }, "id", [("report_id", "reports", "id")], [["report_id"], ["report_key"], ["url", "sha256"], ["parse_status"], ["main_source_id"]]),
    "cells": ({"report_id": int, "table": str, "row": str, "column": str, "value": float, "position": int},
              ("report_id", "table", "row", "column"), [("report_id", "reports", "id")], []),
    # scope: 'report' (the parse's and the merge's own) or 'dataset' (crawler.dataset's checks across reports)
    "flags": ({"id": int, "report_id": int, "code": str, "detail": str, "subject": str, "scope": str}, "id",
              [("report_id", "reports", "id")],
              [["report_id"], ["code"]]),
    "crawl_runs": ({"id": int, "started_at": str, "finished_at": str, "status": str, "resumes": int, "jobdir": str,
                    "arguments": str, "stats": str, "reports_before": int, "reports_after": int, "new_reports": str,
                    "changed_reports": str, "monitor": str}, "id", [], []),
    # what each fetched URL looked like last time, for incremental re-crawls (crawler.incremental)
    "pages": ({"url": str, "kind": str, "status": int, "etag": str, "last_modified": str, "sha256": str, "links": str,
               "pagination": str, "is_list": int, "paginated": int, "listing": int, "run_id": int, "fetched_at": str, "changed_at": str},
              "url", [], [["kind"]]),
    "robots": ({"url": str, "status": int, "body": bytes, "fetched_at": str}, "url", [], []),
    # table 三 with one column per applicant type: a summary table kept in step with cells by
    # merge_report, so that browsing and counting it never regroups millions of cells
    "applications_wide": ({"report_id": int, "agency": str, "year": int, "template": str, "row": str,
                           **{column: float for column in APPLICANT_COLUMNS}, "position": int},
                          ("report_id", "row"), [("report_id", "reports", "id")], [["agency", "year"], ["year", "row"], ["row"]]),
}
_WIDE_COLUMNS = ", ".join(f"max(CASE WHEN c.\"column\" = '{c}' THEN c.value END) AS {c}" for c in APPLICANT_COLUMNS)
_WIDE_ROWS = f"""SELECT c.report_id, r.agency, r.year, r.template, c.row, {_WIDE_COLUMNS}, min(c.position) AS position
FROM cells c JOIN reports r ON r.id = c.report_id
WHERE c."table" = 'applications' {{where}}
GROUP BY c.report_id, c.row"""

# Indexes added to databases of every age: a merge's lookup by report key (never by the
# low-selectivity parse_status alone), and the columns datasette facets on.
QUERY_INDEXES = {
    "sources": [["report_key", "parse_status"], ["kind"], ["format"], ["encoding"], ["portal"],
                ["portal", "agency_key"], ["region_code", "agency_key"]],
    "reports": [["level"], ["agency"]],
}
# Tables stored in primary-key order (WITHOUT ROWID): a report's rows are read with one b-tree
# search each instead of an index search and a row lookup, and written to one b-tree, not two.
# (Databases created before keep their rowid tables: same columns, same queries.)
CLUSTERED = ("cells", "applications_wide")


def _create_clustered(db, name: str, columns: dict, pk: tuple, foreign_keys: list) -> None:
    types = {int: "INTEGER", str: "TEXT", float: "FLOAT", bytes: "BLOB"}
    references = {column: f" REFERENCES [{other}]([{key}])" for column, other, key in foreign_keys}
    definitions = [f"[{column}] {types[kind]}{references.get(column, '')}" for column, kind in columns.items()]
    db.execute(f"CREATE TABLE [{name}] ({', '.join(definitions)}, PRIMARY KEY ({', '.join(f'[{c}]' for c in pk)})) WITHOUT ROWID")


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create what is missing; columns and indexes added by a newer version are added to older databases."""
    if "applications_wide" in db.view_names():     # a view before the summary table; filled below
        db.execute("DROP VIEW applications_wide")
    for name, (columns, pk, foreign_keys, indexes) in SCHEMA.items():
        table = db[name]
        if name not in db.table_names():
            if name in CLUSTERED:
                _create_clustered(db, name, columns, pk, foreign_keys)
            else:
                table.create(columns, pk=pk, foreign_keys=foreign_keys, not_null={"agency_key"} if name == "reports" else None)
            for index in indexes:
                table.create_index(index)
            if name == "reports":
                table.create_index(["agency_key", "year"], unique=True)
            if name == "applications_wide":
                db.execute(f"INSERT INTO applications_wide {_WIDE_ROWS.format(where='')}")
            continue
        for column, kind in columns.items():
            if column not in table.columns_dict:
                table.add_column(column, kind)
    for name, indexes in QUERY_INDEXES.items():
        for columns in indexes:
            db[name].create_index(columns, if_not_exists=True)
    # Every report's ~200 cells landed on ~200 pages of this index, each write; queries reach
    # cells through their primary key (report_id, table, row, column) instead.
    db.execute("DROP INDEX IF EXISTS idx_cells_table_row_column")
    datasetstore.ensure_schema(db)


def refresh_wide(db, report_id: int) -> None:
    """applications_wide's rows of one report, from its cells."""
    db.execute("DELETE FROM applications_wide WHERE report_id = ?", [report_id])
    db.execute(f"INSERT INTO applications_wide {_WIDE_ROWS.format(where='AND c.report_id = :id')}", {"id": report_id})


# ------------------------------------------------------------------ writing

@contextlib.contextmanager
def write_transaction(db: sqlite_utils.Database, attempts: int = 5):
    """BEGIN IMMEDIATE: take the write lock before reading, so a second crawl writing to the same
    database waits for it (busy_timeout) instead of failing with "database is locked" when the
    other commits between our read and our write, as a plain deferred BEGIN does. Taking the lock
    is retried a few times beyond the busy timeout; the block itself runs once."""
    for attempt in range(attempts):
        try:
            db.conn.execute("BEGIN IMMEDIATE")
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.5 * (attempt + 1))
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    db.conn.execute("COMMIT")


def report_key(parsed: dict, sha256: str) -> str:
    """agency + year; a report whose agency or year is unknown is its own key."""
    if parsed.get("agency_key") and parsed.get("year"):
        return f"{parsed['agency_key']}|{parsed['year']}"
    return f"?|{sha256[:16]}"


def keyed(report: dict, sha256: str) -> dict:
    """A parsed source's key columns, before crawler.respell matches misspelled agencies."""
    key = report_key(report, sha256)
    return {"report_key": key, "agency_key": None if key.startswith("?|") else report["agency_key"], "respelled": None}


def store_fetch(db: sqlite_utils.Database, item: ReportItem, outcome: ParseOutcome) -> dict:
    """Write one fetched item (page or attachment, with its continuation pages) and the
    outcome of parsing it, in one transaction. Returns what happened, for the crawl stats."""
    with write_transaction(db):
        main_id, is_new = _upsert_source(db, item, item, part=0, main_id=None)
        for part, extra in enumerate(item.continuations, start=1):
            _upsert_source(db, extra, item, part=part, main_id=main_id)
        update = {"parse_status": outcome.status, "parser_version": PARSER_VERSION, "last_seen": item.fetched_at}
        if outcome.report is not None:
            report = outcome.report
            # a report can still come with fetch problems (a continuation page that failed)
            update.update(parsed=json.dumps(report, ensure_ascii=False), **keyed(report, sha256(item.body)),
                          parse_error="; ".join(item.errors) or None,
                          encoding=report["source"]["encoding"], format=report["source"]["format"])
            db["sources"].update(main_id, update)
            from .merge import merge_report  # merge builds on this module
            from .respell import respell_sources
            rekeyed = respell_sources(db, item.portal)
            key = db["sources"].get(main_id)["report_key"]
            for other in sorted(rekeyed - {key}):
                merge_report(db, other)
            report_id, created = merge_report(db, key)
            return {"status": outcome.status, "key": key, "report_id": report_id, "new_report": created, "new_source": is_new}
        errors = without_surrogates("; ".join([outcome.reason or "", *item.errors]))
        db["sources"].update(main_id, {**update, "parse_error": errors, "parsed": None, "report_key": None, "report_id": None})
        return {"status": outcome.status, "new_source": is_new}


def sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _upsert_source(db, fetched: Fetched, item: ReportItem, part: int, main_id: int | None) -> tuple[int, bool]:
    """The row of one fetched response; `item` says which portal and kind it belongs to."""
    sha = sha256(fetched.body)
    portal = item.portal
    existing = next(db.query("SELECT id FROM sources WHERE url = ? AND sha256 = ? AND part = ?", [fetched.url, sha, part]), None)
    if existing:
        db["sources"].update(existing["id"], {"last_seen": fetched.fetched_at, "status": fetched.status})
        return existing["id"], False
    row = {
        "url": fetched.url, "final_url": fetched.final_url,
        "kind": "image" if part and sniff_format(fetched.body[:16]) == "image" else item.kind,   # a table picture
        "part": part, "main_source_id": main_id, "portal": portal.get("agency"),
        "region_code": portal.get("region_code"), "level": portal.get("level"),
        "fetched_at": fetched.fetched_at, "last_seen": fetched.fetched_at,
        "status": fetched.status, "content_type": fetched.content_type, "encoding": None, "format": None,
        "sha256": sha, "size": len(fetched.body), "headers": json.dumps(fetched.headers, ensure_ascii=False),
        "body": zlib.compress(fetched.body, 6), "compression": "zlib", "parse_status": "continuation" if part else "pending",
    }
    return db["sources"].insert(row).last_pk, True


def source_body(row: dict) -> bytes:
    return zlib.decompress(row["body"]) if row.get("compression") == "zlib" else row["body"]


def split_key(key: str) -> tuple[str, int | None]:
    agency, _, year = key.partition("|")
    return (key, None) if agency == "?" else (agency, int(year))


def portal_of(db, source_id: int) -> dict:
    return next(db.query("SELECT portal AS agency, region_code, level FROM sources WHERE id = ?", [source_id]), {})


def delete_report(db, report_id: int) -> None:
    db.execute("UPDATE sources SET report_id = NULL WHERE report_id = ?", [report_id])
    db.execute("DELETE FROM cells WHERE report_id = ?", [report_id])
    db.execute("DELETE FROM flags WHERE report_id = ?", [report_id])
    db.execute("DELETE FROM applications_wide WHERE report_id = ?", [report_id])
    db.execute("DELETE FROM agency_series WHERE report_id = ?", [report_id])
    db.execute("DELETE FROM reports WHERE id = ?", [report_id])


def stored_reports(db: sqlite_utils.Database, year: int | None = None, flag: str | None = None) -> list[dict]:
    """The stored reports with their flag codes, by agency and year; optionally one year's or one flag's."""
    where, params = [], []
    if year:
        where.append("r.year = ?")
        params.append(year)
    if flag:
        where.append("r.id IN (SELECT report_id FROM flags WHERE code = ?)")
        params.append(flag)
    sql = ("SELECT r.id, r.agency, r.year, r.template, r.published, group_concat(f.code, ', ') AS codes "
           "FROM reports r LEFT JOIN (SELECT report_id, code FROM flags ORDER BY code) f ON f.report_id = r.id "
           + ("WHERE " + " AND ".join(where) + " " if where else "") + "GROUP BY r.id ORDER BY r.agency, r.year")
    return list(db.query(sql, params))
