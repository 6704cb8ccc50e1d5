"""Tables whose cells were glued into runs of digits ("…申请数量801000081二、上年结转…").

Archives and crawlers that take the text of an HTML table without separators print every row
as its label followed by one run of digits, and glue the next row's item number onto it
("10000015.属于三类…"). Here each row's label is found in the template's order and its run read
off; crawler/infer.py splits the runs by the template's arithmetic.
"""
from __future__ import annotations

import re

from .infer import Inferred, infer_active_row, infer_appeals, infer_applications
from .schema import (
    ACTIVE_ITEMS,
    ACTIVE_ITEMS_BY_TEMPLATE,
    APPLICATION_ROWS,
    OTHER_SUBROWS,
    ROW_NUMBERS,
    Flag,
    expected_application_rows,
    flag,
)
from .tables import ROW_PATTERNS

# A label run straight into seven or more digits: a table row that lost its cell boundaries.
_GLUED_ROW = re.compile(r"[\u4e00-\u9fff)）”]\d{7,}")
# Labels of rows the row patterns of crawler/tables.py leave to context.
_GLUED_ROW_PATTERNS = {**dict(ROW_PATTERNS), "other": r"其他处理", "other_misc": r"其他", "total_handled": r"总计|合计"}
# a row's figures: digits, a decimal point or a minus sign between them (2019's 本年增/减 "312-415873")
_RUN = re.compile(r"-?\d(?:\d|\.(?=\d)|-(?=\d))*")
_NOT_A_DIGIT = re.compile(r"[^\d\-]*")
# 2021 documents issued, as the prose states it ("本年度制发的规范性文件77件").
_STATED_ISSUED = re.compile(r"制发(?:了|的)?(?:行政)?规范性文件(?:共)?(\d+)\s*件")


def is_glued(section: str) -> bool:
    """Several rows of table 三 are a label followed straight by a run of seven or more digits."""
    return len(_GLUED_ROW.findall(section)) >= 3


def template_of(sections: dict[str, str]) -> str | None:
    text = "".join(sections.values())
    if re.search(r"制发件数|现行有效件数|不补正|缴纳费用", text):
        return "2021"
    if re.search(r"新制作数量|政府集中采购|其他对外管理服务事项", text):
        return "2019"
    return None


def label_runs(section: str, labels: list[tuple[str, str]], numbers: dict[str, int]) -> dict[str, str]:
    """{key: run of digits} for the labels found in order; the run after a label ends where the
    next label starts, less the next item's own number glued onto it ("…00000002.其他法律…")."""
    runs: dict[str, str] = {}
    pos = 0
    found: list[tuple[str, int]] = []       # key, where its run starts
    for key, pattern in labels:
        m = re.compile(pattern).search(section, pos)
        if not m:
            continue
        start = _NOT_A_DIGIT.match(section, m.end()).end()
        found.append((key, start))
        run = _RUN.match(section, start)
        pos = run.end() if run else start
    for i, (key, start) in enumerate(found):
        run = _RUN.match(section, start)
        if not run:
            continue
        digits = run.group(0)
        nxt = found[i + 1][0] if i + 1 < len(found) else None
        number = str(numbers.get(nxt, "")) if nxt else ""
        if number and digits.endswith(number) and section[run.end():run.end() + 1] in (".", "．", "、"):
            digits = digits[:-len(number)]
        runs[key] = digits
    return runs


def parse_glued(sections: dict[str, str], template: str | None, prose: dict) -> tuple[dict, dict, list[Flag]]:
    """Tables 二, 三, 四 from glued sections: (results, problems per table, cells_inferred flags)."""
    results: dict[str, dict] = {"active": {}, "applications": {}, "appeals": {}}
    problems: dict[str, list[str]] = {"active": [], "applications": [], "appeals": []}
    inferred: list[tuple[str, Inferred]] = []

    rows = [r for r in expected_application_rows(template) if not (template == "2021" and r == "other")]
    runs = label_runs(sections.get("applications", ""), [(r, _GLUED_ROW_PATTERNS[r]) for r in rows], ROW_NUMBERS)
    if runs:
        table = infer_applications(runs, received=prose.get("received"))
        if template == "2021" and all(r in table.values for r in OTHER_SUBROWS):
            subrows = [table.values[r] for r in OTHER_SUBROWS]
            table.values["other"] = {c: (None if any(s[c] is None for s in subrows) else sum(s[c] for s in subrows))
                                     for c in subrows[0]}
        results["applications"] = {k: table.values[k] for k in APPLICATION_ROWS if k in table.values}
        inferred.append(("table 三", table))

    appeals = sections.get("appeals", "")
    longest = max(re.findall(r"\d{5,}", appeals), key=len, default="")
    if longest:
        table = infer_appeals(longest)
        results["appeals"] = table.values
        inferred.append(("table 四", table))

    if template:
        items = ACTIVE_ITEMS_BY_TEMPLATE[template]
        active_runs = label_runs(sections.get("active", ""), [(i.key, re.escape(i.label.removeprefix("行政")))
                                                              for i in items], {})
        stated = {"normative_documents": {"issued": prose["normative_issued"]}} if prose.get("normative_issued") else {}
        rows_inferred = Inferred({})
        for key, run in active_runs.items():
            row = infer_active_row(run, ACTIVE_ITEMS[template][key], stated.get(key))
            results["active"][key] = row.values
            rows_inferred.cells += row.cells
            rows_inferred.ambiguous += row.ambiguous
        if rows_inferred.cells:
            inferred.append(("table 二", rows_inferred))

    flags = [flag("cells_inferred", table.detail(name)) for name, table in inferred if table.cells]
    for name, table in (("applications", "table 三"), ("appeals", "table 四"), ("active", "table 二")):
        ambiguous = next((t.ambiguous for n, t in inferred if n == table), 0)
        if ambiguous:
            problems[name].append(f"{name}: {ambiguous} glued cells left null (more than one split fits)")
    return results, problems, flags


def stated_figures(prose: str) -> dict:
    """Figures the prose states that help split glued runs (besides crawler.validate's)."""
    m = _STATED_ISSUED.search(prose)
    return {"normative_issued": int(m.group(1))} if m else {}
