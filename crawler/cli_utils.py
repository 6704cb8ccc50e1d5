"""What the CLI prints: aligned tables for a terminal where Han characters take two columns."""
from __future__ import annotations

from .schema import (
    ACTIVE_LABELS,
    APPEAL_KIND_LABELS,
    APPEAL_KINDS,
    APPEAL_OUTCOME_SHORT_LABELS,
    APPEAL_OUTCOMES,
    APPLICANT_COLUMNS,
    APPLICANT_SHORT_LABELS,
    APPLICATION_ROW_SHORT_LABELS,
    Report,
)


def _cell(value) -> str:
    return "-" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def display_width(text: str) -> int:
    """Columns the text takes in a terminal: Han characters take two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def _rpad(text: str, width: int) -> str:
    return " " * max(0, width - display_width(text)) + text


def format_summary(report: Report) -> str:
    lines = [
        f"agency     {report['agency'] or '(unknown)'}" + (f"   (printed: {report['agency_raw']})" if report["agency_raw"] not in (None, report["agency"]) else ""),
        f"year       {report['year'] or '?'}    template {report['template'] or '?'}    published {report['published'] or '?'}",
        "",
        "二、主动公开",
    ]
    for item, measures in report["active"].items():
        lines.append("  " + pad(ACTIVE_LABELS[item], 24) + "  ".join(f"{m}={_cell(v)}" for m, v in measures.items()))
    lines += ["", pad("三、依申请公开", 24) + " ".join(_rpad(APPLICANT_SHORT_LABELS[c], 8) for c in APPLICANT_COLUMNS)]
    for row, values in report["applications"].items():
        lines.append("  " + pad(APPLICATION_ROW_SHORT_LABELS.get(row, row), 22) + " ".join(f"{_cell(values.get(c)):>8}" for c in APPLICANT_COLUMNS))
    lines += ["", pad("四、复议诉讼", 20) + " ".join(_rpad(APPEAL_OUTCOME_SHORT_LABELS[o], 9) for o in APPEAL_OUTCOMES)]
    for kind in APPEAL_KINDS:
        values = report["appeals"].get(kind)
        if values:
            lines.append("  " + pad(APPEAL_KIND_LABELS[kind], 18) + " ".join(f"{_cell(values.get(o)):>9}" for o in APPEAL_OUTCOMES))
    lines += ["", f"flags ({len(report['flags'])})"]
    lines += [f"  {f['code']}: {f['detail']}" for f in report["flags"]] or ["  none"]
    return "\n".join(lines)


def format_report_list(rows) -> str:
    """One line per stored report (rows of store.stored_reports): agency, year, template, publication date, flag codes."""
    lines = [f"{'agency':<24}{'year':>6}  {'template':<9}{'published':<12}flags"]
    for r in rows:
        lines.append(f"{pad(r['agency'] or '(unknown agency)', 24)}{r['year'] or '?':>6}  {r['template'] or '?':<9}"
                     f"{r['published'] or '?':<12}{r['codes'] or '-'}")
    return "\n".join(lines)
