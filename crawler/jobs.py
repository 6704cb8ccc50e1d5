"""Parsing as a job: picklable, so it runs in a worker process off Scrapy's reactor, and again
over the raw bytes stored in the database (reparse) without crawling."""
from __future__ import annotations

import json
import traceback

import sqlite_utils

from . import PARSER_VERSION, datasetstore
from .exc import ParseLimitExceeded
from .items import ReportItem
from .merge import merge_report
from .report import NotAReport, UnreadableInput, parse_report
from .respell import respell_sources
from .sanitize import without_surrogates
from .schema import LIMIT_EXCEEDED, ParseOutcome
from .store import delete_report, keyed, optimize, portal_of, source_body, write_transaction


def parse_job(body: bytes, url: str | None = None, content_type: str | None = None,
              agency_hint: str | None = None, continuations: list[bytes] = (), filename: str | None = None,
              continuation_urls: list[str] = ()) -> ParseOutcome:
    """Never raises: a page that breaks the parser is recorded with the reason, not lost.
    (A memory failure is left to crawler.workers, which records the limit.)"""
    try:
        return ParseOutcome("report", parse_report(body, url=url, content_type=content_type, agency_hint=agency_hint,
                                                   continuations=list(continuations), filename=filename,
                                                   continuation_urls=list(continuation_urls)))
    except NotAReport as exc:
        return ParseOutcome("not_a_report", reason=str(exc))
    except ParseLimitExceeded as exc:
        return ParseOutcome(LIMIT_EXCEEDED, reason=str(exc))
    except UnreadableInput as exc:
        return ParseOutcome("unreadable", reason=str(exc))
    except MemoryError:
        raise
    except Exception as exc:   # a parser bug must not stop the crawl
        reason = f"{exc.__class__.__name__}: {exc} | {traceback.format_exc(limit=3)}"
        return ParseOutcome("error", reason=without_surrogates(reason))


def parse_arguments(arguments: tuple) -> ParseOutcome:
    """parse_job(*arguments), as one picklable job for a worker (reparse, the CLI)."""
    return parse_job(*arguments[:5], filename=arguments[5] if len(arguments) > 5 else None)


def parse_item(item: ReportItem) -> ParseOutcome:
    return parse_job(item.body, item.final_url, item.content_type, item.agency_hint, [c.body for c in item.continuations],
                     continuation_urls=[c.final_url for c in item.continuations])


def reparse(db: sqlite_utils.Database, parse=None, progress=None) -> dict:
    """Parse every stored main source again from its raw bytes (no network) and rebuild
    the reports, cells and flags from the new results."""
    parse = parse or parse_job
    counts: dict[str, int] = {}
    keys_before = {r["report_key"] for r in db.query("SELECT DISTINCT report_key FROM sources WHERE report_key IS NOT NULL")}
    mains = [r["id"] for r in db.query("SELECT id FROM sources WHERE part = 0 ORDER BY id")]
    for n, source_id in enumerate(mains, start=1):
        row = db["sources"].get(source_id)
        parts = [source_body(p) for p in db.query("SELECT body, compression FROM sources WHERE main_source_id = ? ORDER BY part", [source_id])]
        portal = portal_of(db, source_id)
        outcome = parse(source_body(row), row["final_url"] or row["url"], row["content_type"], portal.get("agency"), parts)
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
        with write_transaction(db):
            update = {"parse_status": outcome.status, "parser_version": PARSER_VERSION}
            if outcome.report is not None:
                report = outcome.report
                update.update(parsed=json.dumps(report, ensure_ascii=False), parse_error=None,
                              **keyed(report, row["sha256"]), encoding=report["source"]["encoding"],
                              format=report["source"]["format"])
            else:
                update.update(parsed=None, parse_error=outcome.reason, report_key=None, report_id=None,
                              agency_key=None, respelled=None)
            db["sources"].update(source_id, update)
        if progress:
            progress(n, len(mains))
    with write_transaction(db):     # misspelled agencies matched again, on the new parses
        for portal in list(db.query("SELECT DISTINCT portal AS agency, region_code FROM sources WHERE parse_status = 'report'")):
            respell_sources(db, portal)
    keys_after = {r["report_key"] for r in db.query("SELECT DISTINCT report_key FROM sources WHERE report_key IS NOT NULL")}
    with write_transaction(db):
        for key in sorted(keys_before | keys_after):
            merge_report(db, key)
        # reports whose every source now parses under another key
        for orphan in db.query("SELECT id FROM reports WHERE id NOT IN (SELECT report_id FROM sources WHERE report_id IS NOT NULL)"):
            delete_report(db, orphan["id"])
    counts.update({f"dataset:{k}": v for k, v in datasetstore.refresh(db).items() if v})
    optimize(db)
    counts["reports"] = db["reports"].count
    return counts
