"""Render a report (in the schema's shape) as the HTML real government CMSs publish:
a labelled metadata block, prose, and the three tables with their rowspan/colspan headers.

Used to build the demo portals and the HTML test fixtures, so the expected values of
every fixture are the very dicts it was rendered from.
"""
from __future__ import annotations

from html import escape

APPLICANT_COLUMNS = ["natural_person", "commercial", "research", "nonprofit", "legal_services", "other_org", "total"]

_ACTIVE_2019 = [
    ("第二十条第(一)项", ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
     [("rules", "规章", ["made", "published", "total_public"]), ("normative_documents", "规范性文件", ["made", "published", "total_public"])]),
    ("第二十条第(五)项", ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
     [("licensing", "行政许可", ["previous", "change", "decisions"]), ("other_services", "其他对外管理服务事项", ["previous", "change", "decisions"])]),
    ("第二十条第(六)项", ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
     [("penalty", "行政处罚", ["previous", "change", "decisions"]), ("coercion", "行政强制", ["previous", "change", "decisions"])]),
    ("第二十条第(八)项", ["信息内容", "上一年项目数量", "本年增/减"], [("fees", "行政事业性收费", ["previous", "change"])]),
    ("第二十条第(九)项", ["信息内容", "采购项目数量", "采购总金额(单位:万元)"], [("procurement", "政府集中采购", ["items", "amount_wan"])]),
]
_ACTIVE_2021 = [
    ("第二十条第(一)项", ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
     [("rules", "规章", ["issued", "repealed", "in_force"]), ("normative_documents", "行政规范性文件", ["issued", "repealed", "in_force"])]),
    ("第二十条第(五)项", ["信息内容", "本年处理决定数量"], [("licensing", "行政许可", ["decisions"])]),
    ("第二十条第(六)项", ["信息内容", "本年处理决定数量"],
     [("penalty", "行政处罚", ["decisions"]), ("coercion", "行政强制", ["decisions"])]),
    ("第二十条第(八)项", ["信息内容", "本年收费金额(单位:万元)"], [("fees", "行政事业性收费", ["amount_wan"])]),
]
_DENIED = ["1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益",
           "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项"]
_UNAVAILABLE = ["1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确"]
_REJECTED = ["1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请", "5.要求行政机关确认或重新出具已获取信息"]
_OTHER_2021 = ["1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
               "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "3.其他"]
_DENIED_KEYS = ["denied_state_secret", "denied_prohibited_by_law", "denied_three_safeties", "denied_third_party",
                "denied_internal_affairs", "denied_process_info", "denied_enforcement_files", "denied_query_matters"]
_UNAVAILABLE_KEYS = ["unavailable_not_held", "unavailable_needs_creation", "unavailable_unclear"]
_REJECTED_KEYS = ["rejected_complaints", "rejected_duplicate", "rejected_publications", "rejected_excessive", "rejected_confirmation"]
_OTHER_KEYS = ["other_no_correction", "other_no_fee", "other_misc"]


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
    if row.get("total") is not None and all(row.get(c) is None for c in APPLICANT_COLUMNS[:-1]):
        return _td(_fmt(row["total"]), colspan=7)   # a row merged into one cell
    return "".join(_td(_fmt(row.get(c))) for c in APPLICANT_COLUMNS)


def active_table(active: dict, template: str) -> str:
    rows = []
    for section, header, items in (_ACTIVE_2019 if template == "2019" else _ACTIVE_2021):
        rows.append(f"<tr>{_td(section, colspan=4)}</tr>")
        pad = 4 - len(header)
        rows.append("<tr>" + "".join(_td(h) for h in header[:-1]) + _td(header[-1], colspan=1 + pad) + "</tr>")
        for key, label, measures in items:
            cells = [_fmt((active.get(key) or {}).get(m)) for m in measures]
            rows.append("<tr>" + _td(label) + "".join(_td(c) for c in cells[:-1]) + _td(cells[-1], colspan=1 + pad) + "</tr>")
    return '<table border="1" cellspacing="0" class="MsoNormalTable">' + "".join(rows) + "</table>"


def applications_table(rows: dict, template: str) -> str:
    out = [
        "<tr>" + _td("(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)", colspan=3, rowspan=3) + _td("申请人情况", colspan=7) + "</tr>",
        "<tr>" + _td("自然人", rowspan=2) + _td("法人或其他组织", colspan=5) + _td("总计", rowspan=2) + "</tr>",
        "<tr>" + "".join(_td(h) for h in ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]) + "</tr>",
        "<tr>" + _td("一、本年新收政府信息公开申请数量", colspan=3) + _values(rows.get("new_received")) + "</tr>",
        "<tr>" + _td("二、上年结转政府信息公开申请数量", colspan=3) + _values(rows.get("carried_over")) + "</tr>",
    ]
    other_rows = 3 if template == "2021" else 1
    results_span = 2 + 8 + 3 + 5 + other_rows + 1
    out.append("<tr>" + _td("三、本年度办理结果", rowspan=results_span) + _td("(一)予以公开", colspan=2) + _values(rows.get("granted")) + "</tr>")
    out.append("<tr>" + _td("(二)部分公开(区分处理的,只计这一情形,不计其他情形)", colspan=2) + _values(rows.get("partially_granted")) + "</tr>")
    for group, labels, keys in (("(三)不予公开", _DENIED, _DENIED_KEYS), ("(四)无法提供", _UNAVAILABLE, _UNAVAILABLE_KEYS),
                                ("(五)不予处理", _REJECTED, _REJECTED_KEYS)):
        for i, (label, key) in enumerate(zip(labels, keys)):
            lead = _td(group, rowspan=len(labels)) if i == 0 else ""
            out.append("<tr>" + lead + _td(label) + _values(rows.get(key)) + "</tr>")
    if template == "2021":
        for i, (label, key) in enumerate(zip(_OTHER_2021, _OTHER_KEYS)):
            lead = _td("(六)其他处理", rowspan=3) if i == 0 else ""
            out.append("<tr>" + lead + _td(label) + _values(rows.get(key)) + "</tr>")
    else:
        out.append("<tr>" + _td("(六)其他处理", colspan=2) + _values(rows.get("other")) + "</tr>")
    out.append("<tr>" + _td("(七)总计", colspan=2) + _values(rows.get("total_handled")) + "</tr>")
    out.append("<tr>" + _td("四、结转下年度继续办理", colspan=3) + _values(rows.get("carried_forward")) + "</tr>")
    return '<table border="1" cellspacing="0">' + "".join(out) + "</table>"


def appeals_table(appeals: dict) -> str:
    outcomes = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    keys = ["upheld", "corrected", "other", "pending", "total"]
    values = [_fmt((appeals.get(kind) or {}).get(k)) for kind in ("review", "suit_direct", "suit_after_review") for k in keys]
    return ('<table border="1" cellspacing="0">'
            "<tr>" + _td("行政复议", colspan=5) + _td("行政诉讼", colspan=10) + "</tr>"
            "<tr>" + "".join(_td(o, rowspan=2) for o in outcomes) + _td("未经复议直接起诉", colspan=5) + _td("复议后起诉", colspan=5) + "</tr>"
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
