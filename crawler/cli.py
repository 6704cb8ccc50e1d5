"""`python -m crawler ...`: the library's jobs from the shell."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .report import NotAReport, UnreadableInput, parse_report
from .schema import (
    ACTIVE_LABELS,
    APPEAL_KIND_LABELS,
    APPEAL_KINDS,
    APPEAL_OUTCOME_SHORT_LABELS,
    APPEAL_OUTCOMES,
    APPLICANT_COLUMNS,
    APPLICANT_SHORT_LABELS,
    APPLICATION_ROW_SHORT_LABELS,
)


def _read_input(path: str) -> tuple[bytes, str | None]:
    if path == "-":
        return sys.stdin.buffer.read(), None
    return Path(path).read_bytes(), path


def cmd_parse(args) -> int:
    try:
        body, filename = _read_input(args.file)
    except OSError as exc:
        print(f"error: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    try:
        report = parse_report(body, filename=filename)
    except NotAReport as exc:
        print(f"not an annual report: {args.file}: {exc}", file=sys.stderr)
        return 1
    except UnreadableInput as exc:
        print(f"unreadable: {args.file}: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:   # a parser bug: one line, and a way to report it
        print(f"error: {args.file}: the parser failed ({exc.__class__.__name__}: {exc}); please report this file", file=sys.stderr)
        return 3
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(format_summary(report))
    return 0


def _cell(value) -> str:
    return "-" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def display_width(text: str) -> int:
    """Columns the text takes in a terminal: Han characters take two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def _rpad(text: str, width: int) -> str:
    return " " * max(0, width - display_width(text)) + text


def format_summary(report: dict) -> str:
    lines = [
        f"agency     {report['agency'] or '(unknown)'}" + (f"   (printed: {report['agency_raw']})" if report.get("agency_raw") not in (None, report["agency"]) else ""),
        f"year       {report['year'] or '?'}    template {report['template'] or '?'}    published {report['published'] or '?'}",
        "",
        "二、主动公开",
    ]
    for item, measures in (report.get("active") or {}).items():
        lines.append("  " + pad(ACTIVE_LABELS[item], 24) + "  ".join(f"{m}={_cell(v)}" for m, v in measures.items()))
    lines += ["", pad("三、依申请公开", 24) + " ".join(_rpad(APPLICANT_SHORT_LABELS[c], 8) for c in APPLICANT_COLUMNS)]
    for row, values in (report.get("applications") or {}).items():
        lines.append("  " + pad(APPLICATION_ROW_SHORT_LABELS.get(row, row), 22) + " ".join(f"{_cell(values.get(c)):>8}" for c in APPLICANT_COLUMNS))
    lines += ["", pad("四、复议诉讼", 20) + " ".join(_rpad(APPEAL_OUTCOME_SHORT_LABELS[o], 9) for o in APPEAL_OUTCOMES)]
    for kind in APPEAL_KINDS:
        values = (report.get("appeals") or {}).get(kind)
        if values:
            lines.append("  " + pad(APPEAL_KIND_LABELS[kind], 18) + " ".join(f"{_cell(values.get(o)):>9}" for o in APPEAL_OUTCOMES))
    lines += ["", f"flags ({len(report['flags'])})"]
    lines += [f"  {f['code']}: {f['detail']}" for f in report["flags"]] or ["  none"]
    return "\n".join(lines)


def _open_existing_db(path: str):
    from . import store
    if not Path(path).exists():
        print(f"error: no database at {path} (run a crawl first: make demo, or scrapy crawl reports)", file=sys.stderr)
        return None
    return store.open_db(path)


def cmd_reparse(args) -> int:
    from . import store
    db = _open_existing_db(args.db)
    if db is None:
        return 2

    def progress(done, total):
        if done == total or done % 25 == 0:
            print(f"\r  re-parsed {done}/{total} sources", end="" if done < total else "\n", file=sys.stderr, flush=True)

    counts = store.reparse(db, progress=progress)
    print("reparse: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


def cmd_export(args) -> int:
    from . import store
    db = _open_existing_db(args.db)
    if db is None:
        return 2
    for path in store.export(db, args.out, args.format):
        print(path)
    return 0


def format_report_list(db, year: int | None = None, flag: str | None = None) -> str:
    """One line per stored report: agency, year, template, publication date and flag codes."""
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
    lines = [f"{'agency':<24}{'year':>6}  {'template':<9}{'published':<12}flags"]
    for r in db.query(sql, params):
        lines.append(f"{pad(r['agency'] or '(unknown agency)', 24)}{r['year'] or '?':>6}  {r['template'] or '?':<9}"
                     f"{r['published'] or '?':<12}{r['codes'] or '-'}")
    return "\n".join(lines)


def cmd_list(args) -> int:
    db = _open_existing_db(args.db)
    if db is None:
        return 2
    print(format_report_list(db, args.year, args.flag))
    return 0


def cmd_demo(args) -> int:
    from .demo import run_demo
    return run_demo(port=args.port, db=args.db)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m crawler", description="nianbao: 政府信息公开工作年度报告 crawler tools")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("parse", help="parse one report file (.html .txt .md .pdf .docx .doc, or - for stdin)")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="print the schema JSON instead of a summary")
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("reparse", help="re-parse every stored source with the current parser (no network)")
    p.add_argument("--db", default="output/reports.db")
    p.set_defaults(func=cmd_reparse)

    p = sub.add_parser("list", help="the stored reports, one line each, with their flags")
    p.add_argument("--db", default="output/reports.db")
    p.add_argument("--year", type=int, help="only reports on this year")
    p.add_argument("--flag", help="only reports with this flag code, e.g. balance_mismatch")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("export", help="write flat files: csv (reports, cells, flags, sources) or jsonl (one report per line)")
    p.add_argument("--format", choices=["csv", "jsonl"], default="csv")
    p.add_argument("--db", default="output/reports.db")
    p.add_argument("--out", default="output/export")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("demo", help="serve the bundled demo portals on 127.0.0.1 and crawl them into the database")
    p.add_argument("--port", type=int, default=8808)
    p.add_argument("--db", default="output/reports.db")
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
