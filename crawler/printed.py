"""A stored report as the national template prints it: tables 二, 三 and 四 in HTML, every
flagged cell marked with the flag's detail beside the table, and the other versions' differences.
Pure: the stored rows in, HTML out (the datasette plugin in crawler/datasette_plugins fetches them)."""
from __future__ import annotations

import re
from html import escape
from itertools import groupby

from .schema import (
    ACTIVE_ITEMS_BY_TEMPLATE,
    APPEAL_KIND_LABELS,
    APPEAL_KINDS,
    APPEAL_OUTCOME_LABELS,
    APPEAL_OUTCOMES,
    APPLICANT_COLUMNS,
    APPLICANT_LABELS,
    APPLICATION_ROW_LABELS,
    APPLICATION_ROWS,
    BALANCE_ROWS,
    FLAGS,
    GROUP_LABELS,
    MEASURE_LABELS,
    OUTCOME_ROWS,
    TABLE_LABELS,
    TABLES,
    expected_application_rows,
)

Cell = tuple[str, str, str]
_KEY = re.compile(r"^[a-z_]+\.[a-z_]+\.[a-z_]+$")


def flagged_cells(flags: list[dict], hierarchy: list[dict] = ()) -> dict[Cell, list[int]]:
    """The cells each flag is about (by its code and subject), as indexes into `flags`."""
    marks: dict[Cell, list[int]] = {}

    def mark(index, cells):
        for cell in cells:
            marks.setdefault(cell, []).append(index)

    for i, f in enumerate(flags):
        code, subject = f["code"], f.get("subject") or ""
        if _KEY.match(subject):                                   # yoy_outlier: table.row.column
            mark(i, [tuple(subject.split("."))])
        elif code == "balance_mismatch" and subject in APPLICANT_COLUMNS:
            mark(i, [("applications", row, subject) for row in BALANCE_ROWS])
        elif code == "balance_mismatch" and subject.startswith("carried_over"):
            mark(i, [("applications", "carried_over", c) for c in APPLICANT_COLUMNS])
        elif code == "row_total_mismatch" and subject in APPLICATION_ROWS:
            mark(i, [("applications", subject, c) for c in APPLICANT_COLUMNS])
        elif code == "handled_total_mismatch" and subject in APPLICANT_COLUMNS:
            mark(i, [("applications", row, subject) for row in (*OUTCOME_ROWS, "total_handled")])
        elif code == "appeal_total_mismatch" and subject in APPEAL_KINDS:
            mark(i, [("appeals", subject, o) for o in APPEAL_OUTCOMES])
        elif code == "hierarchy_mismatch":
            mark(i, [tuple(h["figure"].split(".")) for h in hierarchy if h["status"] == "mismatch"])
    return marks


def _fmt(value) -> str:
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


def _td(cells: dict, key: Cell, marks: dict, differs: set) -> str:
    classes = []
    notes = ""
    if key in marks:
        classes.append("flagged")
        notes = "".join(f'<sup><a href="#flag-{n + 1}">{n + 1}</a></sup>' for n in marks[key])
    if key in differs:
        classes.append("differs")
    attrs = f' class="{" ".join(classes)}"' if classes else ""
    return f'<td data-cell="{".".join(key)}"{attrs}>{escape(_fmt(cells.get(key)))}{notes}</td>'


def active_table(template: str, cells: dict, marks: dict, differs: set) -> str:
    """二、主动公开: one block per 第二十条 section and its measures, as the template prints it."""
    rows = []
    items = ACTIVE_ITEMS_BY_TEMPLATE.get(template or "2021") or ACTIVE_ITEMS_BY_TEMPLATE["2021"]
    labels = MEASURE_LABELS.get(template or "2021") or MEASURE_LABELS["2021"]
    width = 1 + max(len(i.measures) for i in items)
    for (article, measures), block in groupby(items, key=lambda i: (i.article, i.measures)):
        rows.append(f'<tr class="section"><th colspan="{width}">{escape(article)}</th></tr>')
        rows.append("<tr><th>信息内容</th>" + "".join(f"<th>{escape(labels[m])}</th>" for m in measures)
                    + "<td></td>" * (width - 1 - len(measures)) + "</tr>")
        for item in block:
            rows.append(f"<tr><th>{escape(item.label)}</th>"
                        + "".join(_td(cells, ("active", item.key, m), marks, differs) for m in measures)
                        + "<td></td>" * (width - 1 - len(measures)) + "</tr>")
    return f'<table class="printed" id="table-active">{"".join(rows)}</table>'


def applications_table(template: str, cells: dict, marks: dict, differs: set) -> str:
    """三、依申请公开: the applicant columns, the result rows grouped as printed."""
    org = APPLICANT_COLUMNS[1:-1]
    head = ('<tr><th colspan="3" rowspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</th>'
            f'<th colspan="{len(APPLICANT_COLUMNS)}">申请人情况</th></tr>'
            f'<tr><th rowspan="2">{APPLICANT_LABELS["natural_person"]}</th><th colspan="{len(org)}">法人或其他组织</th>'
            f'<th rowspan="2">{APPLICANT_LABELS["total"]}</th></tr>'
            "<tr>" + "".join(f"<th>{escape(APPLICANT_LABELS[c])}</th>" for c in org) + "</tr>")
    rows = [head]
    expected = expected_application_rows(template)
    results = [r for r in expected if r not in ("new_received", "carried_over", "carried_forward")]
    values = lambda row: "".join(_td(cells, ("applications", row, c), marks, differs) for c in APPLICANT_COLUMNS)
    groups = {g: [r for r in results if _group(r) == g] for g in GROUP_LABELS}
    for row in ("new_received", "carried_over"):
        rows.append(f'<tr><th colspan="3">{escape(APPLICATION_ROW_LABELS[row])}</th>{values(row)}</tr>')
    first_result = True
    for row in results:
        group = _group(row)
        lead = f'<th rowspan="{len(results)}">三、本年度办理结果</th>' if first_result else ""
        first_result = False
        if group and group != "other":
            group_head = (f'<th rowspan="{len(groups[group])}">{escape(GROUP_LABELS[group])}</th>'
                          if groups[group][0] == row else "")
            rows.append(f"<tr>{lead}{group_head}<th>{escape(APPLICATION_ROW_LABELS[row])}</th>{values(row)}</tr>")
        elif row == "other" and template == "2021":
            rows.append(f'<tr>{lead}<th rowspan="{1 + len(groups["other"])}">{escape(GROUP_LABELS["other"])}</th>'
                        f"<th>小计</th>{values(row)}</tr>")
        elif group == "other":
            rows.append(f"<tr>{lead}<th>{escape(APPLICATION_ROW_LABELS[row])}</th>{values(row)}</tr>")
        else:
            rows.append(f'<tr>{lead}<th colspan="2">{escape(APPLICATION_ROW_LABELS[row])}</th>{values(row)}</tr>')
    rows.append(f'<tr><th colspan="3">{escape(APPLICATION_ROW_LABELS["carried_forward"])}</th>{values("carried_forward")}</tr>')
    return f'<table class="printed" id="table-applications">{"".join(rows)}</table>'


def _group(row: str) -> str | None:
    for group in GROUP_LABELS:
        if row.startswith(group + "_"):
            return group
    return None


def appeals_table(cells: dict, marks: dict, differs: set) -> str:
    """四、复议诉讼: 行政复议, then 行政诉讼 split into its two kinds, one row of figures."""
    n = len(APPEAL_OUTCOMES)
    head = (f'<tr><th colspan="{n}" rowspan="2">行政复议</th><th colspan="{2 * n}">行政诉讼</th></tr>'
            + "<tr>" + "".join(f'<th colspan="{n}">{escape(APPEAL_KIND_LABELS[k])}</th>' for k in APPEAL_KINDS[1:]) + "</tr>"
            + "<tr>" + "".join(f"<th>{escape(APPEAL_OUTCOME_LABELS[o])}</th>" for _ in APPEAL_KINDS for o in APPEAL_OUTCOMES)
            + "</tr>")
    values = "".join(_td(cells, ("appeals", k, o), marks, differs) for k in APPEAL_KINDS for o in APPEAL_OUTCOMES)
    return f'<table class="printed" id="table-appeals">{head}<tr>{values}</tr></table>'


def version_differences(best: dict[Cell, object], other: dict[Cell, object]) -> list[tuple[Cell, object, object]]:
    """Cells another version prints differently (a figure only one of them has counts too)."""
    keys = sorted(set(best) | set(other))
    return [(k, best.get(k), other.get(k)) for k in keys if best.get(k) != other.get(k)]


def cell_label(key: Cell) -> str:
    table, row, column = key
    if table == "applications":
        return f"三 {APPLICATION_ROW_LABELS.get(row, row)} · {APPLICANT_LABELS.get(column, column)}"
    if table == "appeals":
        return f"四 {APPEAL_KIND_LABELS.get(row, row)} · {APPEAL_OUTCOME_LABELS.get(column, column)}"
    items = {i.key: i.label for t in ACTIVE_ITEMS_BY_TEMPLATE.values() for i in t}
    measures = {**MEASURE_LABELS["2019"], **MEASURE_LABELS["2021"]}
    return f"二 {items.get(row, row)} · {measures.get(column, column)}"


STYLE = """
body { font-family: "WenQuanYi Zen Hei", "Noto Sans CJK SC", sans-serif; margin: 1.5em; color: #222; max-width: 1200px; }
table.printed { border-collapse: collapse; margin: 0.5em 0 1em; }
table.printed th, table.printed td { border: 1px solid #555; padding: 3px 6px; font-size: 14px; }
table.printed th { background: #f3f3f3; font-weight: normal; }
table.printed td { text-align: right; min-width: 2.5em; }
td.flagged { background: #ffd6d6; outline: 2px solid #c00; }
td.differs { background: #fff3c4; }
.flaglist { list-style: none; padding-left: 0.5em; } .flaglist li { margin: 0.2em 0; }
.status-dismissed { color: #888; text-decoration: line-through; }
.meta th { text-align: left; padding-right: 1em; font-weight: normal; color: #555; }
iframe.series { width: 100%; height: 340px; border: 1px solid #ddd; }
"""


def _flag_list(flags: list[dict], indexes: list[int], base: str) -> str:
    if not indexes:
        return ""
    items = []
    for i in indexes:
        f = flags[i]
        status = f.get("review_status") or "open"
        note = f" — {escape(f['review_note'])}" if f.get("review_note") else ""
        meaning = FLAGS[f["code"]].meaning if f["code"] in FLAGS else ""
        items.append(f'<li id="flag-{i + 1}" class="flag status-{status}" data-code="{f["code"]}"><b>{i + 1}. {f["code"]}</b> '
                     f'<span class="scope">({escape(f.get("scope") or "report")}, {status}{note})</span>: {escape(f["detail"])}'
                     f' <small title="{escape(meaning)}">ⓘ</small>'
                     + (f' <a class="review" href="{base}/reports/review_flag?flag_id={f["flag_id"]}">review</a>' if f.get("flag_id") else "")
                     + "</li>")
    return f'<ul class="flaglist">{"".join(items)}</ul>'


def render_report_page(report: dict, cells: dict, flags: list[dict], versions: list[dict], hierarchy: list[dict],
                       base: str = "", series_charts: list[tuple[str, str]] = ()) -> str:
    """The whole page. `versions`: the other versions, each {source_id, url, fetched_at, published, cells};
    `series_charts`: (title, embed URL) of the agency's charts over the years."""
    marks = flagged_cells(flags, hierarchy)
    differs = {k for v in versions for k, *_ in version_differences(cells, v["cells"])}
    for i, f in enumerate(flags):
        if f["code"] == "conflicting_versions":
            for key in differs:
                marks.setdefault(key, []).append(i)
    by_table = {t: sorted({i for k, ids in marks.items() if k[0] == t for i in ids}) for t in TABLES}
    on_cells = {i for ids in marks.values() for i in ids}
    template = report.get("template")
    title = report.get("title") or f"{report.get('agency') or report['agency_key']} {report.get('year') or ''}"
    source = f"{base}/-/nianbao/source/{report['best_source_id']}"
    meta = [("机关 agency", escape(report.get("agency") or "(unknown)")),
            ("年度 year", escape(str(report.get("year") or "?"))),
            ("模板 template", escape(template or "?")),
            ("发布日期 published", escape(report.get("published") or "?")),
            ("层级 / 区划 level / region", escape(f"{report.get('level') or '?'} / {report.get('region_code') or '?'}")),
            ("原始网址 original URL", f'<a class="original" href="{escape(report.get("best_url") or "")}">{escape(report.get("best_url") or "")}</a>'),
            ("抓取时的页面 as fetched", f'<a class="as-fetched" href="{source}">{escape(report.get("fetched_at") or "")}</a>'
                                      f' (<a href="{base}/reports/sources/{report["best_source_id"]}">source row</a>)'),
            ("版本 versions", str(report.get("versions") or 1))]
    parts = [f"<!DOCTYPE html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>{escape(title)}</title>"
             f"<style>{STYLE}</style></head><body>",
             f'<p><a href="{base}/reports/reports">← reports</a> · <a href="{base}/-/dashboards/overview">dashboard</a></p>',
             f"<h1>{escape(title)}</h1>",
             '<table class="meta">' + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in meta) + "</table>"]
    tables = {"active": active_table(template, cells, marks, differs),
              "applications": applications_table(template, cells, marks, differs),
              "appeals": appeals_table(cells, marks, differs)}
    for name in TABLES:
        parts.append(f"<h2>{escape(TABLE_LABELS[name])}</h2>")
        if not any(k[0] == name for k in cells):
            parts.append('<p class="missing">not found in this report</p>')
            continue
        parts.append(tables[name] + _flag_list(flags, by_table[name], base))
    rest = [i for i in range(len(flags)) if i not in on_cells]
    parts.append(f"<h2>问题 Flags ({len(flags)})</h2>" + (_flag_list(flags, rest, base) or "<p>none</p>" if rest or not flags else
                                                            "<p>all shown beside the tables above</p>"))
    if hierarchy:
        parts.append("<h2>层级核对 Hierarchy</h2><table class=\"printed\" id=\"hierarchy\"><tr><th>figure</th><th>summary</th>"
                     "<th>sum of bodies</th><th>bodies found / known</th><th>status</th></tr>"
                     + "".join(f"<tr><th>{escape(h['figure'])}</th><td>{_fmt(h['summary_value'])}</td><td>{_fmt(h['bodies_sum'])}</td>"
                               f"<td>{h['bodies_found']} / {h['bodies_known']}</td><td>{escape(h['status'])}</td></tr>" for h in hierarchy)
                     + "</table>")
    parts.append(f"<h2>其他版本 Other versions ({len(versions)})</h2>")
    for v in versions:
        diff = version_differences(cells, v["cells"])
        rows = "".join(f"<tr><th>{escape(cell_label(k))}</th><td>{_fmt(a)}</td><td>{_fmt(b)}</td></tr>" for k, a, b in diff)
        parts.append(f'<div class="version"><p><a href="{escape(v["url"])}">{escape(v["url"])}</a> · fetched {escape(v.get("fetched_at") or "?")}'
                     f' · published {escape(v.get("published") or "?")} · <a href="{base}/-/nianbao/source/{v["source_id"]}">as fetched</a></p>'
                     + (f'<table class="printed differences"><tr><th>cell</th><th>shown</th><th>this version</th></tr>{rows}</table>'
                        if diff else "<p>same figures</p>") + "</div>")
    if series_charts:
        parts.append("<h2>历年 Series over the years</h2>")
        parts += [f'<iframe class="series" title="{escape(t)}" src="{escape(url)}" loading="eager"></iframe>' for t, url in series_charts]
    parts.append("</body></html>")
    return "\n".join(parts)
