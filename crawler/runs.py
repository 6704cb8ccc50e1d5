"""Crawl runs: one `crawl_runs` row per crawl, opened when it starts, checkpointed while it runs
and closed with its stats, what it found new or changed, and the monitors' verdict.

With a job directory (`-s JOBDIR=...`) the run's id is kept in JOBDIR/nianbao-run.json: a crawl
started again after a crash (even SIGKILL) continues the same run instead of opening a new one.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from .items import utc_now as now
from .store import split_key, write_transaction

JOB_FILE = "nianbao-run.json"
UNFINISHED = ("running", "shutdown")      # killed, or stopped with Ctrl-C: a restart resumes them


def _job_file(jobdir: str | None) -> Path | None:
    return Path(jobdir) / JOB_FILE if jobdir else None


def open_run(db, arguments: dict, jobdir: str | None = None) -> tuple[int, dict | None]:
    """(run id, the row of the run being resumed or None for a new run)."""
    job = _job_file(jobdir)
    if job and job.exists():
        run_id = json.loads(job.read_text(encoding="utf-8")).get("run_id")
        row = next(db.query("SELECT * FROM crawl_runs WHERE id = ?", [run_id]), None)
        if row and row["status"] in UNFINISHED:
            with write_transaction(db):
                db["crawl_runs"].update(run_id, {"status": "running", "resumes": (row["resumes"] or 0) + 1})
            return run_id, row
    with write_transaction(db):
        run_id = db["crawl_runs"].insert({
            "started_at": now(), "status": "running", "resumes": 0, "jobdir": jobdir,
            "arguments": json.dumps(arguments, ensure_ascii=False, default=str),
            "reports_before": db["reports"].count}).last_pk
    if job:
        job.parent.mkdir(parents=True, exist_ok=True)
        tmp = job.with_suffix(".tmp")
        tmp.write_text(json.dumps({"run_id": run_id}), encoding="utf-8")
        os.replace(tmp, job)
    return run_id, None


def merge_stats(before: dict, now_stats: dict) -> dict:
    """The stats of a resumed run: counts of the earlier segments added to this one's."""
    merged = dict(before)
    for key, value in now_stats.items():
        if isinstance(value, int | float) and not isinstance(value, bool) and isinstance(before.get(key), int | float):
            merged[key] = before[key] + value
        else:
            merged[key] = value
    return merged


def checkpoint(db, run_id: int, stats: dict, new: list[str], changed: list[str]) -> None:
    with write_transaction(db):
        db["crawl_runs"].update(run_id, {"stats": json.dumps(stats, ensure_ascii=False, default=str),
                                         "new_reports": json.dumps(new, ensure_ascii=False),
                                         "changed_reports": json.dumps(changed, ensure_ascii=False)})


def finish_run(db, run_id: int, stats: dict, new: list[str], changed: list[str], status: str,
               monitor: list[dict] | None = None) -> None:
    with write_transaction(db):
        db["crawl_runs"].update(run_id, {
            "finished_at": now(), "status": status, "stats": json.dumps(stats, ensure_ascii=False, default=str),
            "new_reports": json.dumps(new, ensure_ascii=False), "changed_reports": json.dumps(changed, ensure_ascii=False),
            "monitor": json.dumps(monitor or [], ensure_ascii=False), "reports_after": db["reports"].count})


def store_item(db, item, outcome, new: list[str], changed: list[str]) -> dict:
    """Store one fetched item (crawler.store.store_fetch) and tell what it was for the run: its
    report new to the database (added to `new`) or changed (to `changed`). The result's "stats"
    names the counters to add one to."""
    from .store import report_key, sha256, store_fetch
    key = report_key(outcome.report, sha256(item.body)) if outcome.report is not None else None
    before = report_signature(db, key) if key else None
    result = store_fetch(db, item, outcome)
    counters = []
    if result.get("new_report"):
        counters.append("nianbao/reports_new")
        new.append(report_label(db, key))
    elif key and before is not None and report_signature(db, key) != before \
            and (label := report_label(db, key)) not in new:      # a second copy found in the same run is no change
        counters.append("nianbao/reports_changed")
        if label not in changed:
            changed.append(label)
    if result["status"] == "report":
        counters += ["nianbao/reports_stored", f"nianbao/portal_reports/{item.portal.get('agency')}"]
    return {**result, "stats": counters}


def previous_runs(db, run_id: int) -> list[dict]:
    """Finished runs before this one, newest first."""
    return list(db.query("SELECT * FROM crawl_runs WHERE id < ? AND finished_at IS NOT NULL ORDER BY id DESC", [run_id]))


def report_label(db, key: str) -> str:
    row = _report_row(db, key, "agency, year")
    return f"{row['agency']} {row['year']}" if row else key


def _report_row(db, key: str | None, columns: str) -> dict | None:
    """The stored report of an "agency_key|year" key, by the (agency_key, year) index (none for
    a report of no known agency)."""
    if not key or key.startswith("?|"):
        return None
    return next(db.query(f"SELECT {columns} FROM reports WHERE agency_key = ? AND year IS ?", list(split_key(key))), None)


# ---------------------------------------------------------------- the `runs` command

def _stat(stats: dict, *keys) -> int:
    return sum(v for k, v in stats.items() if isinstance(v, int) and any(k == p or k.startswith(p + "/") for p in keys))


def run_summary(row: dict) -> dict:
    stats = json.loads(row["stats"] or "{}")
    monitor = json.loads(row.get("monitor") or "[]")
    return {
        "id": row["id"], "started_at": row["started_at"], "finished_at": row["finished_at"], "status": row["status"],
        "resumes": row.get("resumes") or 0,
        "requests": stats.get("downloader/request_count", 0),
        "requests_by_kind": {k.rsplit("/", 1)[1]: v for k, v in sorted(stats.items()) if k.startswith("nianbao/requests/")},
        "conditional": stats.get("nianbao/conditional_requests", 0),
        "not_modified": _stat(stats, "nianbao/not_modified", "nianbao/unchanged"),
        "skipped_known": stats.get("nianbao/skipped_known", 0),
        "new_reports": json.loads(row.get("new_reports") or "[]"),
        "changed_reports": json.loads(row.get("changed_reports") or "[]"),
        "flags": {k.rsplit("/", 1)[1]: v for k, v in sorted(stats.items()) if k.startswith("nianbao/flags/")},
        "errors": {k.rsplit("/", 1)[1]: v for k, v in sorted(stats.items()) if k.startswith("nianbao/errors/")},
        "problems": [m["reason"] for m in monitor if not m.get("ok")],
        "arguments": json.loads(row["arguments"] or "{}"),
    }


def format_runs(db, limit: int = 20) -> str:
    from .cli_utils import pad
    rows = list(db.query("SELECT * FROM crawl_runs ORDER BY id DESC LIMIT ?", [limit]))
    lines = [f"{'run':>4}  {'started':<20}{'status':<10}{'requests':>9}{'304/same':>9}{'new':>5}{'changed':>8}{'flags':>6}"
             f"{'errors':>7}  problems"]
    for row in rows:
        s = run_summary(row)
        status = s["status"] + (f"+{s['resumes']}r" if s["resumes"] else "")
        lines.append(f"{s['id']:>4}  {pad(s['started_at'][:19].replace('T', ' '), 20)}{status:<10}{s['requests']:>9}"
                     f"{s['not_modified']:>9}{len(s['new_reports']):>5}{len(s['changed_reports']):>8}"
                     f"{sum(s['flags'].values()):>6}{sum(s['errors'].values()):>7}  {'; '.join(s['problems']) or '-'}")
    return "\n".join(lines)


def report_signature(db, key: str | None):
    """What a user sees of a stored report (figures, flags, best version): changed when this changes."""
    row = _report_row(db, key, "id, best_url, flag_codes")
    if row is None:
        return None
    cells = tuple(tuple(r.values()) for r in db.query(
        'SELECT "table", row, "column", value FROM cells WHERE report_id = ? ORDER BY 1, 2, 3', [row["id"]]))
    return row["best_url"], row["flag_codes"], cells
