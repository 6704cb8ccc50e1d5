"""nianbao's datasette plugin (loaded by `make browse` with --plugins-dir crawler/datasette_plugins):

- /-/nianbao/report/{id}: a report as printed (crawler.printed), with its agency's series charts;
- /-/nianbao/source/{id}: a fetched page or attachment exactly as it was fetched (scripts sandboxed);
- the reports table's titles link to the printed page;
- the review_flag writable canned query (crawler.review's statement), for signed-in actors only.
"""
from __future__ import annotations

import json
import zlib
from urllib.parse import quote

from datasette import hookimpl
from datasette.utils.asgi import Forbidden, NotFound, Response
from markupsafe import Markup, escape

from crawler.printed import render_report_page
from crawler.review import REVIEWS_SQL

DATABASE = "reports"
# The charts of the "agency" dashboard (crawler/datasette.json) shown on each report page.
SERIES_CHARTS = (("每年收到的申请 / Applications per year", "applications"),
                 ("办理结果构成 / Outcome mix per year", "outcomes"),
                 ("复议与诉讼 / Reviews and lawsuits per year", "appeals"))


def _database(datasette):
    return datasette.get_database(DATABASE) if DATABASE in datasette.databases else datasette.get_database()


async def _check_view(datasette, request, db) -> None:
    if not await datasette.permission_allowed(request.actor, "view-database", resource=db.name, default=True):
        raise Forbidden("view-database denied")


async def _rows(db, sql: str, params=()) -> list[dict]:
    return [dict(r) for r in (await db.execute(sql, params)).rows]


def _cells_of(parsed: dict) -> dict:
    from crawler.merge import flatten_cells
    return {k: v for k, v in flatten_cells(parsed).items() if v is not None}


async def report_page(request, datasette):
    db = _database(datasette)
    await _check_view(datasette, request, db)
    report_id = int(request.url_vars["id"])
    found = await _rows(db, "SELECT r.*, s.fetched_at FROM reports r LEFT JOIN sources s ON s.id = r.best_source_id "
                            "WHERE r.id = ?", [report_id])
    if not found:
        raise NotFound(f"no report {report_id}")
    report = found[0]
    cells = {(c["table"], c["row"], c["column"]): c["value"]
             for c in await _rows(db, 'SELECT "table", row, "column", value FROM cells WHERE report_id = ? AND value IS NOT NULL',
                                  [report_id])}
    flags = await _rows(db, "SELECT flag_id, code, subject, scope, detail, review_status, review_note FROM flags_reviewed "
                            "WHERE report_id = ? ORDER BY scope DESC, flag_id", [report_id])
    hierarchy = await _rows(db, "SELECT * FROM hierarchy_checks WHERE report_id = ? ORDER BY figure", [report_id])
    versions = [{"source_id": v["id"], "url": v["url"], "fetched_at": v["fetched_at"],
                 "published": json.loads(v["parsed"]).get("published"), "cells": _cells_of(json.loads(v["parsed"]))}
                for v in await _rows(db, "SELECT id, url, fetched_at, parsed FROM sources WHERE report_id = ? AND part = 0 "
                                         "AND parse_status = 'report' AND id != ? ORDER BY id", [report_id, report["best_source_id"]])]
    base = datasette.urls.path("").rstrip("/")
    series = [(title, f"{base}/-/dashboards/agency/{chart}/embed?agency_key={quote(report['agency_key'])}")
              for title, chart in SERIES_CHARTS] if report.get("year") else []
    return Response.html(render_report_page(report, cells, flags, versions, hierarchy, base=base, series_charts=series))


async def source_page(request, datasette):
    db = _database(datasette)
    await _check_view(datasette, request, db)
    found = await _rows(db, "SELECT body, compression, content_type FROM sources WHERE id = ?", [int(request.url_vars["id"])])
    if not found:
        raise NotFound("no such source")
    row = found[0]
    body = zlib.decompress(row["body"]) if row["compression"] == "zlib" else row["body"]
    # a crawled page runs no script and loads nothing in the reviewer's browser
    return Response(body, content_type=row["content_type"] or "application/octet-stream",
                    headers={"Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:",
                             "X-Content-Type-Options": "nosniff"})


@hookimpl
def register_routes():
    return ((r"^/-/nianbao/report/(?P<id>\d+)$", report_page), (r"^/-/nianbao/source/(?P<id>\d+)$", source_page))


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if table == "reports" and column == "title" and value:
        report_id = row["id"]
        href = datasette.urls.path(f"/-/nianbao/report/{report_id}")
        return Markup(f'<a class="printed-report" href="{href}">{escape(value)}</a>')
    return None


@hookimpl
def canned_queries(datasette, database):
    if database != _database(datasette).name:
        return None
    return {"review_flag": {
        "title": "审核问题 / Review a flag",
        "description": "Mark a flag (flag_id from flags_to_review) open, confirmed or dismissed, with a note. "
                       "The review follows the flag through re-parses and re-crawls. Signed-in reviewers only.",
        "sql": REVIEWS_SQL.replace(":reviewer", ":_actor_id"),
        "params": ["flag_id", "status", "note"],
        "write": True,
        "allow": {"id": "*"},
        "on_success_message": "Review saved",
        "on_error_message": "Review not saved",
    }}
