"""Parsing as a picklable job, so it can run in a worker process off Scrapy's reactor."""
from __future__ import annotations

import traceback

from .report import NotAReport, UnreadableInput, parse_report


def parse_job(body: bytes, url: str | None = None, content_type: str | None = None,
              agency_hint: str | None = None, continuations: list[bytes] = ()) -> tuple[str, object]:
    """('report', dict) | ('not_a_report' | 'unreadable' | 'error', reason). Never raises:
    a page that breaks the parser is recorded, not lost."""
    try:
        return "report", parse_report(body, url=url, content_type=content_type, agency_hint=agency_hint,
                                      continuations=list(continuations))
    except NotAReport as exc:
        return "not_a_report", str(exc)
    except UnreadableInput as exc:
        return "unreadable", str(exc)
    except Exception as exc:   # a parser bug must not stop the crawl
        return "error", f"{exc.__class__.__name__}: {exc} | {traceback.format_exc(limit=3)}"


def parse_item(item: dict) -> tuple[str, object]:
    return parse_job(item["body"], item.get("final_url") or item.get("url"), item.get("content_type"),
                     (item.get("portal") or {}).get("agency") or None,
                     [c["body"] for c in item.get("continuations") or ()])
