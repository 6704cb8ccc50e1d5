"""Flat files for people who don't use SQL: CSV per table, JSON lines in the schema's shape, or an
Excel workbook (crawler.xlsx)."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import sqlite_utils

from .sanitize import spreadsheet_cell

EXPORT_QUERIES = {
    "reports": "SELECT id, agency, year, template, published, region_code, level, portal, best_url, flag_count, versions, "
               "agency_raw, title, publisher, index_no, parser_version FROM reports ORDER BY agency, year",
    "cells": "SELECT r.agency, r.year, c.\"table\", c.row, c.\"column\", c.value, c.report_id FROM cells c "
             "JOIN reports r ON r.id = c.report_id ORDER BY r.agency, r.year, c.position",
    "flags": "SELECT agency, year, code, detail, report_id, scope, subject, review_status, review_note FROM flags_reviewed "
             "ORDER BY agency, year, code",
    "sources": "SELECT id, report_id, url, final_url, kind, part, portal, fetched_at, status, content_type, encoding, format, "
               "sha256, size, parse_status, parse_error FROM sources ORDER BY id",
}


def report_records(db, report_ids=None):
    """Each stored report as the schema's JSON object (its best version, with every flag the
    dataset holds for it), plus report_id, region_code, versions, url and fetched_at."""
    sql = ("SELECT r.id, r.versions, r.region_code, r.level, r.best_url, s.fetched_at, s.parsed FROM reports r "
           "JOIN sources s ON s.id = r.best_source_id")
    params: list = []
    if report_ids is not None:
        ids = sorted(report_ids)
        sql += f" WHERE r.id IN ({', '.join('?' * len(ids))})"
        params = ids
    for row in db.query(sql + " ORDER BY r.agency, r.year", params):
        report = json.loads(row["parsed"])
        report["flags"] = [{"code": f["code"], "detail": f["detail"]}
                           for f in db.query("SELECT code, detail FROM flags WHERE report_id = ? ORDER BY id", [row["id"]])]
        report.update(report_id=row["id"], region_code=row["region_code"], level=row["level"], versions=row["versions"],
                      url=row["best_url"], fetched_at=row["fetched_at"])
        yield report


def export(db: sqlite_utils.Database, out_dir: str | Path, fmt: str = "csv") -> list[Path]:
    """Flat files for people who don't use SQL: one per table (csv), one JSON object per report
    in the schema's shape (jsonl), or a workbook with a sheet per table (xlsx)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    if fmt == "jsonl":
        path = out / "reports.jsonl"
        with path.open("w", encoding="utf-8") as f:
            for report in report_records(db):
                f.write(json.dumps(report, ensure_ascii=False) + "\n")
        return [path]
    if fmt == "xlsx":
        from .xlsx import write_xlsx
        return [write_xlsx(db, out / "reports.xlsx")]
    if fmt != "csv":
        raise ValueError(f"unknown export format {fmt!r}: use csv, jsonl or xlsx")
    for name, sql in EXPORT_QUERIES.items():
        path = out / f"{name}.csv"
        cursor = db.execute(sql)
        # utf-8-sig so Excel opens the Chinese text correctly
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow([d[0] for d in cursor.description])
            writer.writerows([spreadsheet_cell(v) for v in row] for row in cursor.fetchall())
        written.append(path)
    return written
