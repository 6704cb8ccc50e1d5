"""The dataset as an Excel workbook researchers open in Excel or WPS: a sheet per table (二, 三, 四)
with one row per report and the template's Chinese labels as headers, plus reports and flags."""
from __future__ import annotations

from pathlib import Path

from .schema import (
    ACTIVE_ITEMS_BY_TEMPLATE,
    ACTIVE_LABELS,
    APPEAL_KIND_LABELS,
    APPEAL_KINDS,
    APPEAL_OUTCOME_LABELS,
    APPEAL_OUTCOMES,
    APPLICANT_COLUMNS,
    APPLICANT_LABELS,
    APPLICATION_ROW_SHORT_LABELS,
    APPLICATION_ROWS,
    MEASURE_LABELS,
)


def _active_columns() -> list[tuple[tuple[str, str, str], str]]:
    """Every (item, measure) of either template, with the label of the template that prints it."""
    columns: dict[tuple[str, str, str], str] = {}
    for template in ACTIVE_ITEMS_BY_TEMPLATE:
        for item in ACTIVE_ITEMS_BY_TEMPLATE[template]:
            for measure in item.measures:
                columns.setdefault(("active", item.key, measure),
                                   f"{ACTIVE_LABELS[item.key]}·{MEASURE_LABELS[template][measure]}")
    return list(columns.items())


TABLE_SHEETS = {
    "二 主动公开": _active_columns(),
    "三 依申请公开": [(("applications", row, column), f"{APPLICATION_ROW_SHORT_LABELS[row]}·{APPLICANT_LABELS[column]}")
                   for row in APPLICATION_ROWS for column in APPLICANT_COLUMNS],
    "四 复议诉讼": [(("appeals", kind, outcome), f"{APPEAL_KIND_LABELS[kind]}·{APPEAL_OUTCOME_LABELS[outcome]}")
                for kind in APPEAL_KINDS for outcome in APPEAL_OUTCOMES],
}
# Leading columns of every table sheet, so a sheet makes sense on its own.
IDENTITY_COLUMNS = (("report_id", "报告编号"), ("agency", "机关"), ("year", "年度"), ("template", "模板"))
REPORT_COLUMNS = (
    ("id", "报告编号"), ("agency", "机关"), ("year", "年度"), ("template", "模板"), ("published", "发布日期"),
    ("region_code", "行政区划代码"), ("level", "层级"), ("portal", "发现于门户"), ("best_url", "网址"),
    ("fetched_at", "抓取时间"), ("flag_count", "问题数"), ("flag_codes", "问题代码"), ("versions", "版本数"),
    ("agency_raw", "标题中的机关名称"), ("title", "标题"), ("publisher", "发布机构"), ("index_no", "索引号"),
    ("parser_version", "解析器版本"),
)
FLAG_COLUMNS = (
    ("report_id", "报告编号"), ("agency", "机关"), ("year", "年度"), ("code", "问题代码"), ("scope", "范围"),
    ("subject", "对象"), ("detail", "说明"), ("review_status", "审核状态"), ("review_note", "审核备注"),
)
SHEET_REPORTS, SHEET_FLAGS, SHEET_KEYS = "报告", "问题", "字段说明"


def _number(value):
    """Counts as integers (SQLite hands them back as floats); 万元 amounts stay as they are."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def write_xlsx(db, path: str | Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    reports = list(db.query("SELECT r.*, s.fetched_at FROM reports r LEFT JOIN sources s ON s.id = r.best_source_id "
                            "ORDER BY r.agency, r.year, r.id"))
    cells: dict[int, dict] = {}
    for c in db.query('SELECT report_id, "table", row, "column", value FROM cells'):
        cells.setdefault(c["report_id"], {})[(c["table"], c["row"], c["column"])] = c["value"]

    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)

    def sheet(title: str, headers: list[str], rows):
        ws = book.create_sheet(title)
        ws.append(headers)
        for cell in ws[1]:
            cell.font = bold
        for row in rows:
            ws.append(row)
            for cell in ws[ws.max_row]:
                if cell.data_type == "f":       # text starting with "=" stays text, never a formula
                    cell.data_type = "s"
        ws.freeze_panes = "C2"
        return ws

    for title, columns in TABLE_SHEETS.items():
        table = columns[0][0][0]
        with_table = [r for r in reports if any(key[0] == table for key in cells.get(r["id"], {}))]
        sheet(title, [label for _, label in IDENTITY_COLUMNS] + [label for _, label in columns],
              ([r["id"], r["agency"], r["year"], r["template"]] + [_number(cells[r["id"]].get(key)) for key, _ in columns]
               for r in with_table))
    sheet(SHEET_REPORTS, [label for _, label in REPORT_COLUMNS], ([r[key] for key, _ in REPORT_COLUMNS] for r in reports))
    flags = db.query("SELECT * FROM flags_reviewed ORDER BY agency, year, code, flag_id")
    sheet(SHEET_FLAGS, [label for _, label in FLAG_COLUMNS], ([f[key] for key, _ in FLAG_COLUMNS] for f in flags))
    keys = [(title, label, ".".join(key)) for title, columns in TABLE_SHEETS.items() for key, label in columns]
    sheet(SHEET_KEYS, ["工作表", "列名", "字段 (table.row.column)"], keys)
    book.save(path)
    return path
