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
_JOINED_WITH_REVIEWS = re.compile(r"行政复议\s*[、和及与或/]\s*$")
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


def _stated_figures(pattern: re.Pattern, prose: str, year: int | None) -> list[tuple[int, str]]:
    """(figure, the words just before it) of each sentence about the report year itself."""
    found = []
    for m in pattern.finditer(prose):
        sentence_start = max(prose.rfind(ch, 0, m.start()) for ch in "。;；\n") + 1
        before = prose[max(sentence_start, m.start() - 30):m.start()]
        years = [int(y) for y in re.findall(r"(?:19|20)\d{2}", before)]
        if _OTHER_TIME.search(before) or any(y != year for y in years):
            continue
        found.append((int(m.group(1)), before))
    return found


def _first_figure(pattern: re.Pattern, prose: str, year: int | None) -> int | None:
    figures = _stated_figures(pattern, prose, year)
    return figures[0][0] if figures else None


def stated_received(prose: str, year: int | None) -> int | None:
    """The number of applications the prose says were received in the report year."""
    return _first_figure(_RECEIVED, prose, year)


def _narrative_checks(report: dict, prose: str) -> list[Flag]:
    """A figure the prose states against the table's. A report may state several (转办申请5件 …
    全年共收到申请47件): it disagrees only when none of them fits."""
    flags = []
    year = report["year"]
    rows = report["applications"]
    new_total = (rows.get("new_received") or {}).get("total")
    carried_total = (rows.get("carried_over") or {}).get("total")
    received = [figure for figure, _ in _stated_figures(_RECEIVED, prose, year)]
    # "受理申请46件" sometimes counts last year's carried-over requests too
    if received and new_total is not None and not {new_total, new_total + (carried_total or 0)} & set(received):
        flags.append(flag("narrative_mismatch",
                          f"text says {_listed(received)} applications received, table 三 new_received total is {new_total}"))
    appeals = report["appeals"]
    review_total = (appeals.get("review") or {}).get("total")
    reviews = [figure for figure, _ in _stated_figures(_REVIEWS, prose, year)]
    if reviews and review_total is not None and review_total not in reviews:
        flags.append(flag("narrative_mismatch", f"text says {_listed(reviews)} administrative reviews, table 四 review total is {review_total}"))
    suit_totals = [(appeals.get(k) or {}).get("total") for k in ("suit_direct", "suit_after_review")]
    if None not in suit_totals:
        suits_total = sum(suit_totals)
        stated = [(figure, _JOINED_WITH_REVIEWS.search(before) is not None) for figure, before in _stated_figures(_SUITS, prose, year)]

        def fits(figure: int, joined: bool) -> bool:
            if joined:      # "行政复议、行政诉讼案件共2件" counts both kinds together
                return review_total is None or figure == suits_total + review_total
            return figure == suits_total

        if stated and not any(fits(*s) for s in stated):
            said = _listed([f"{figure} (reviews and lawsuits together)" if joined else figure for figure, joined in stated])
            flags.append(flag("narrative_mismatch", f"text says {said} lawsuits, table 四 lawsuits total {suits_total}"
                                                    + (f", reviews {review_total}" if any(joined for _, joined in stated) else "")))
    return flags


def _listed(figures: list) -> str:
    return " / ".join(dict.fromkeys(str(f) for f in figures))
