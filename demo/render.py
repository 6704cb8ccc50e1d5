"""Render a report (in the schema's shape) as the HTML real government CMSs publish:
a labelled metadata block, prose, and the three tables with their rowspan/colspan headers.

Used to build the demo portals and the HTML test fixtures, so the expected values of
every fixture are the very dicts it was rendered from.
"""
from __future__ import annotations

from html import escape

from crawler.schema import (
    ACTIVE_ITEMS_BY_TEMPLATE,
    APPEAL_KIND_LABELS,
    APPEAL_KINDS,
    APPEAL_OUTCOME_LABELS,
    APPEAL_OUTCOMES,
    APPLICANT_COLUMNS,
    APPLICANT_LABELS,
    APPLICANT_PARTS,
    APPLICATION_ROW_LABELS,
    GROUP_LABELS,
    MEASURE_LABELS,
    rows_in_group,
)


def _active_sections(template: str) -> list[tuple[str, list[str], list]]:
    """(第二十条 section, header cells, items) in printed order."""
    sections: dict[str, list] = {}
    for item in ACTIVE_ITEMS_BY_TEMPLATE[template]:
        sections.setdefault(item.article, []).append(item)
    return [(article, ["信息内容", *(MEASURE_LABELS[template][m] for m in items[0].measures)], items)
            for article, items in sections.items()]


def _td(text, colspan=1, rowspan=1) -> str:
    attrs = (f' colspan="{colspan}"' if colspan > 1 else "") + (f' rowspan="{rowspan}"' if rowspan > 1 else "")
    return f"<td{attrs}>{escape(str(text))}</td>"


def _fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _values(row: dict | None) -> str:
    row = row or {}
    if row.get("total") is not None and all(row.get(c) is None for c in APPLICANT_PARTS):
        return _td(_fmt(row["total"]), colspan=7)   # a row merged into one cell
    return "".join(_td(_fmt(row.get(c))) for c in APPLICANT_COLUMNS)


def active_table(active: dict, template: str) -> str:
    rows = []
    for section, header, items in _active_sections(template):
        rows.append(f"<tr>{_td(section, colspan=4)}</tr>")
        pad = 4 - len(header)
        rows.append("<tr>" + "".join(_td(h) for h in header[:-1]) + _td(header[-1], colspan=1 + pad) + "</tr>")
        for item in items:
            cells = [_fmt((active.get(item.key) or {}).get(m)) for m in item.measures]
            rows.append("<tr>" + _td(item.label) + "".join(_td(c) for c in cells[:-1]) + _td(cells[-1], colspan=1 + pad) + "</tr>")
    return '<table border="1" cellspacing="0" class="MsoNormalTable">' + "".join(rows) + "</table>"


def applications_table(rows: dict, template: str) -> str:
    out = [
        "<tr>" + _td("(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)", colspan=3, rowspan=3) + _td("申请人情况", colspan=7) + "</tr>",
        "<tr>" + _td("自然人", rowspan=2) + _td("法人或其他组织", colspan=5) + _td("总计", rowspan=2) + "</tr>",
        "<tr>" + "".join(_td(APPLICANT_LABELS[c]) for c in APPLICANT_PARTS[1:]) + "</tr>",
        *("<tr>" + _td(APPLICATION_ROW_LABELS[key], colspan=3) + _values(rows.get(key)) + "</tr>" for key in ("new_received", "carried_over")),
    ]
    groups = ["denied", "unavailable", "rejected"] + (["other"] if template == "2021" else [])
    other_rows = len(rows_in_group("other")) if template == "2021" else 1
    results_span = 2 + sum(len(rows_in_group(g)) for g in groups[:3]) + other_rows + 1

    def labelled(key, colspan=2):
        return _td(APPLICATION_ROW_LABELS[key], colspan=colspan) + _values(rows.get(key)) + "</tr>"

    out.append("<tr>" + _td("三、本年度办理结果", rowspan=results_span) + labelled("granted"))
    out.append("<tr>" + labelled("partially_granted"))
    for group in groups:
        keys = rows_in_group(group)
        for i, key in enumerate(keys):
            lead = _td(GROUP_LABELS[group], rowspan=len(keys)) if i == 0 else ""
            out.append("<tr>" + lead + labelled(key, colspan=1))
    if template != "2021":
        out.append("<tr>" + labelled("other"))
    out.append("<tr>" + labelled("total_handled"))
    out.append("<tr>" + labelled("carried_forward", colspan=3))
    return '<table border="1" cellspacing="0">' + "".join(out) + "</table>"


def appeals_table(appeals: dict) -> str:
    outcomes = [APPEAL_OUTCOME_LABELS[o] for o in APPEAL_OUTCOMES]
    values = [_fmt((appeals.get(kind) or {}).get(o)) for kind in APPEAL_KINDS for o in APPEAL_OUTCOMES]
    return ('<table border="1" cellspacing="0">'
            "<tr>" + _td(APPEAL_KIND_LABELS["review"], colspan=5) + _td("行政诉讼", colspan=10) + "</tr>"
            "<tr>" + "".join(_td(o, rowspan=2) for o in outcomes) + _td(APPEAL_KIND_LABELS["suit_direct"], colspan=5) + _td(APPEAL_KIND_LABELS["suit_after_review"], colspan=5) + "</tr>"
            "<tr>" + "".join(_td(o) for o in outcomes * 2) + "</tr>"
            "<tr>" + "".join(_td(v) for v in values) + "</tr></table>")


def report_body(report: dict, prose: list[str], problems: str = "", closing: str = "") -> str:
    """The report itself: title, six numbered parts, three tables."""
    template = report["template"]
    title = report.get("title") or f"{report['agency']}{report['year']}年政府信息公开工作年度报告"
    parts = [f"<h1 class=\"article-title\">{escape(title)}</h1>", "<p>一、总体情况</p>"]
    parts += [f"<p>{escape(p)}</p>" for p in prose]
    parts += ["<p>二、主动公开政府信息情况</p>", active_table(report.get("active") or {}, template),
              "<p>三、收到和处理政府信息公开申请情况</p>", applications_table(report.get("applications") or {}, template),
              "<p>四、政府信息公开行政复议、行政诉讼情况</p>", appeals_table(report.get("appeals") or {}),
              "<p>五、存在的主要问题及改进情况</p>",
              f"<p>{escape(problems or '信息公开工作仍存在公开内容不够全面、更新不够及时等问题。下一步将加强培训，规范流程。')}</p>",
              "<p>六、其他需要报告的事项</p>",
              f"<p>{escape(closing or '本年度未收取信息处理费。')}</p>"]
    return "\n".join(parts)


def page(title: str, body: str, *, site: str, charset: str = "utf-8", meta_block: dict | None = None,
         sidebar: list[tuple[str, str]] = (), breadcrumb: str = "首页 > 政府信息公开 > 政府信息公开年报",
         extra_head: str = "", nav: list[tuple[str, str]] = (("/", "首页"), ("/index.html", "网站首页"))) -> str:
    """A CMS detail page: header, breadcrumb, metadata table, content, sidebar and footer chrome."""
    meta_rows = ""
    if meta_block:
        cells = "".join(f"<td class=\"label\">{escape(k)}:</td><td>{escape(v)}</td>" for k, v in meta_block.items())
        meta_rows = f'<table class="xxgk-meta"><tr>{cells}</tr></table>'
    side = "".join(f'<li><a href="{escape(href)}">{escape(text)}</a></li>' for href, text in sidebar)
    return f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<meta name="SiteName" content="{escape(site)}">
<meta name="ArticleTitle" content="{escape(title)}">
{extra_head}<title>{escape(title)}_{escape(site)}</title></head>
<body>
<div class="header"><div class="logo">{escape(site)}</div>
<ul class="nav">{"".join(f'<li><a href="{escape(h)}">{escape(t)}</a></li>' for h, t in nav)}</ul></div>
<div class="crumb">您当前的位置：{escape(breadcrumb)}</div>
<div class="main">
{meta_rows}
<div class="article" id="zoom">
{body}
</div>
<div class="tools">【打印本页】 【关闭窗口】</div>
</div>
<div class="sidebar"><h3>相关链接</h3><ul>{side}</ul></div>
<div class="footer"><p>主办单位：{escape(site)} 版权所有</p><p>网站标识码：1234567890 ICP备案序号：京ICP备12345678号-1 京公网安备 11010102000001号</p></div>
</body></html>"""
