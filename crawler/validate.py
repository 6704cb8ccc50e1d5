"""勾稽 checks of a parsed report: each flag says what to look at."""
from __future__ import annotations

import re

from .identify import expected_template
from .schema import APPEAL_PARTS, APPLICANT_COLUMNS, APPLICANT_PARTS, BALANCE_ROWS, OUTCOME_ROWS, Flag, flag

_RECEIVED = re.compile(
    r"(?:收到|收办|受理|接收|接到|新收)了?"
    # "接收通过邮寄、网络提交的各类政府信息公开申请共计81件": a few words on how they came in
    r"[^\d。;；,，]{0,16}?(?:政府信息公开|信息公开|依申请公开|公开)?的?申请\s*(?:共|共计|总计|合计)?\s*(\d{1,15})\s*"
    r"(?:件|条|份|个|宗|次|人次)"
)
_REVIEWS = re.compile(r"行政复议(?:案件|申请|决定书)?\s*(?:共|共计)?\s*(\d{1,15})\s*(?:起|件|宗|次|个)")
_SUITS = re.compile(r"行政诉讼(?:案件)?\s*(?:共|共计)?\s*(\d{1,15})\s*(?:起|件|宗|次|个|(?=[,，。;；]))")
_OTHER_TIME = re.compile(r"上年|上一年|去年|同比|较|比|增长|下降|减少|增加|其中|累计")


def validate(report: dict, prose: str) -> list[Flag]:
    flags = []
    flags += _application_checks(report["applications"])
    flags += _appeal_checks(report["appeals"])
    flags += _identity_checks(report)
    flags += _narrative_checks(report, prose)
    return flags


def _application_checks(rows: dict) -> list[Flag]:
    flags = []
    four = [rows.get(k) for k in BALANCE_ROWS]
    if all(four):
        new, carried, handled, forward = four
        for col in APPLICANT_COLUMNS:
            a, b, c, d = (r.get(col) for r in four)
            if None not in (a, b, c, d) and a + b != c + d:
                flags.append(flag("balance_mismatch", f"{col}: {a} + {b} != {c} + {d}"))
    for name, row in rows.items():
        parts = [row.get(c) for c in APPLICANT_PARTS]
        if row.get("total") is not None and None not in parts and sum(parts) != row["total"]:
            flags.append(flag("row_total_mismatch", f"{name}: {' + '.join(map(str, parts))} = {sum(parts)} != total {row['total']}"))
    handled = rows.get("total_handled")
    if handled and all(r in rows for r in OUTCOME_ROWS):
        for col in APPLICANT_COLUMNS:
            values = [rows[r].get(col) for r in OUTCOME_ROWS]
            if handled.get(col) is not None and None not in values and sum(values) != handled[col]:
                flags.append(flag("handled_total_mismatch",
                                   f"{col}: outcome rows add up to {sum(values)} but total_handled is {handled[col]}"))
    return flags


def _appeal_checks(appeals: dict) -> list[Flag]:
    flags = []
    for kind, outcomes in appeals.items():
        parts = [outcomes.get(o) for o in APPEAL_PARTS]
        total = outcomes.get("total")
        if total is not None and None not in parts and sum(parts) != total:
            flags.append(flag("appeal_total_mismatch", f"{kind}: {' + '.join(map(str, parts))} = {sum(parts)} != total {total}"))
    return flags


def _identity_checks(report: dict) -> list[Flag]:
    flags = []
    year, template = report["year"], report["template"]
    expected = expected_template(year)
    if template and expected and template != expected:
        flags.append(flag("template_mismatch", f"report on {year} uses the {template} template; {expected} expected"))
    published = report["published"]
    if year and published and published > f"{year + 1}-01-31":
        flags.append(flag("published_late", f"published {published}, after the {year + 1}-01-31 deadline"))
    return flags


def _first_figure(pattern: re.Pattern, prose: str, year: int | None) -> int | None:
    """The first figure of a sentence about the report year itself."""
    for m in pattern.finditer(prose):
        sentence_start = max(prose.rfind(ch, 0, m.start()) for ch in "。;；\n") + 1
        before = prose[max(sentence_start, m.start() - 30):m.start()]
        years = [int(y) for y in re.findall(r"(?:19|20)\d{2}", before)]
        if _OTHER_TIME.search(before) or any(y != year for y in years):
            continue
        return int(m.group(1))
    return None


def stated_received(prose: str, year: int | None) -> int | None:
    """The number of applications the prose says were received in the report year."""
    return _first_figure(_RECEIVED, prose, year)


def _narrative_checks(report: dict, prose: str) -> list[Flag]:
    flags = []
    year = report["year"]
    rows = report["applications"]
    new_total = (rows.get("new_received") or {}).get("total")
    carried_total = (rows.get("carried_over") or {}).get("total")
    received = _first_figure(_RECEIVED, prose, year)
    if received is not None and new_total is not None:
        # "受理申请46件" sometimes counts last year's carried-over requests too
        accepted = {new_total, new_total + (carried_total or 0)}
        if received not in accepted:
            flags.append(flag("narrative_mismatch",
                               f"text says {received} applications received, table 三 new_received total is {new_total}"))
    appeals = report["appeals"]
    review_total = (appeals.get("review") or {}).get("total")
    reviews = _first_figure(_REVIEWS, prose, year)
    if reviews is not None and review_total is not None and reviews != review_total:
        flags.append(flag("narrative_mismatch", f"text says {reviews} administrative reviews, table 四 review total is {review_total}"))
    suit_totals = [(appeals.get(k) or {}).get("total") for k in ("suit_direct", "suit_after_review")]
    suits = _first_figure(_SUITS, prose, year)
    if suits is not None and None not in suit_totals and suits != sum(suit_totals):
        flags.append(flag("narrative_mismatch", f"text says {suits} lawsuits, table 四 lawsuits total {sum(suit_totals)}"))
    return flags
