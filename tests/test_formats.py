"""Attachment formats beyond PDF/DOCX/DOC: Excel workbooks, LibreOffice conversions, OFD, and
PDF tables that run over a page break."""
import io
import shutil
import subprocess

import pytest

from crawler.attachments import read_xlsx, sniff_format
from crawler.report import UnreadableInput, parse_report
from crawler.schema import (
    APPEAL_KIND_LABELS,
    APPEAL_KINDS,
    APPEAL_OUTCOME_LABELS,
    APPEAL_OUTCOMES,
    APPLICANT_COLUMNS,
    APPLICANT_LABELS,
    APPLICATION_ROW_LABELS,
    TABLE_LABELS,
)
from crawler.tables import Cell, join_page_grids
from demo.build_sites import make_report

REPORT = make_report("云溪区人民政府", 2022, 77, "2023-01-18")


def workbook(report=REPORT) -> bytes:
    """The report as agencies put it in a spreadsheet: a title, then tables 三 and 四, with merged header cells."""
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([f"{report['agency']}{report['year']}年政府信息公开工作年度报告"])
    sheet.append([TABLE_LABELS["applications"]])
    sheet.append(["", "申请人情况"])
    sheet.merge_cells(start_row=3, start_column=2, end_row=3, end_column=8)
    sheet.append(["", *(APPLICANT_LABELS[c] for c in APPLICANT_COLUMNS)])
    for key, values in report["applications"].items():
        if key == "other" and report["template"] == "2021":
            continue
        if key == "other_no_correction":
            sheet.append(["(六)其他处理"])
        sheet.append([APPLICATION_ROW_LABELS[key], *(values[c] for c in APPLICANT_COLUMNS)])
    sheet.append([TABLE_LABELS["appeals"]])
    sheet.append([*(APPEAL_KIND_LABELS[k] for k in APPEAL_KINDS for _ in APPEAL_OUTCOMES)])
    sheet.append([APPEAL_OUTCOME_LABELS[o] for _ in APPEAL_KINDS for o in APPEAL_OUTCOMES])
    sheet.append([report["appeals"][k][o] for k in APPEAL_KINDS for o in APPEAL_OUTCOMES])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_is_told_from_docx_and_read_with_merged_cells():
    body = workbook()
    assert sniff_format(body) == "xlsx"
    text, grids = read_xlsx(body)
    assert "云溪区人民政府2022年" in text
    header = grids[0][2]
    assert header[1].text == "申请人情况" and header[1].span == 7


def test_xlsx_report_gives_every_figure_of_tables_three_and_four():
    report = parse_report(workbook(), url="http://www.yunxi.gov.test/ndbg/2022.xlsx")
    assert (report["agency"], report["year"], report["source"]["format"]) == ("云溪区人民政府", 2022, "xlsx")
    assert report["applications"] == {k: v for k, v in REPORT["applications"].items()}
    assert report["appeals"] == REPORT["appeals"]
    assert [f["code"] for f in report["flags"]] == ["missing_table"]      # table 二 is not in the workbook


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed (make system-deps, as root)")
def test_legacy_xls_is_converted_by_libreoffice(tmp_path):
    (tmp_path / "report.xlsx").write_bytes(workbook())
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "xls",
                    "--outdir", str(tmp_path / "out"), str(tmp_path / "report.xlsx")], check=True, capture_output=True, timeout=180)
    body = (tmp_path / "out" / "report.xls").read_bytes()
    assert sniff_format(body, "report.xls") == "xls"
    report = parse_report(body, url="http://www.yunxi.gov.test/ndbg/2022.xls")
    assert report["applications"]["new_received"] == REPORT["applications"]["new_received"]
    assert report["appeals"] == REPORT["appeals"]


def test_ofd_and_a_broken_word_file_are_unreadable_with_a_reason():
    import zipfile
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("OFD.xml", "<ofd:OFD/>")
    assert sniff_format(out.getvalue()) == "ofd"
    with pytest.raises(UnreadableInput, match="OFD"):
        parse_report(out.getvalue())
    with pytest.raises(UnreadableInput, match=r"^unreadable \.doc/\.wps: \w+$"):      # a damaged container
        parse_report(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, url="x.wps")


def test_a_table_over_a_page_break_keeps_rows_whole_and_drops_the_repeated_header():
    header = [[Cell("", 0), Cell("自然人", 1), Cell("总计", 2)]]
    page1 = header + [[Cell("一、本年新收政府信息公开申请数量", 0), Cell("5", 1), Cell("5", 2)],
                      [Cell("二、上年结转政府信息公开申请数量", 0), Cell("", 1), Cell("", 2)]]
    page2 = [[Cell("", 0), Cell("自然人", 1), Cell("总计", 2)],       # the header printed again
             [Cell("", 0), Cell("1", 1), Cell("1", 2)],                # the rest of the row the break cut
             [Cell("(一)予以公开", 0), Cell("6", 1), Cell("6", 2)]]
    joined = join_page_grids(page1, page2)
    assert [[c.text for c in row] for row in joined] == [
        ["", "自然人", "总计"], ["一、本年新收政府信息公开申请数量", "5", "5"],
        ["二、上年结转政府信息公开申请数量", "1", "1"], ["(一)予以公开", "6", "6"]]


def test_a_pdf_table_over_a_page_break_gives_every_row_once():
    """Table 三 printed over two pages, its header repeated on the second (fixtures/build_page_break_pdf.py)."""
    import json

    from tests.fixtures import FIXTURES
    report = parse_report((FIXTURES / "pdf" / "page_break_table.pdf").read_bytes(), filename="page_break_table.pdf")
    expected = json.loads((FIXTURES / "pdf" / "page_break_table.json").read_text(encoding="utf-8"))
    assert report["applications"] == expected     # total_handled and carried_forward are on page 2
    assert [f["code"] for f in report["flags"]] == ["missing_table", "missing_table"]   # only table 三 is printed


def test_a_label_the_page_break_cut_is_put_back_together():
    page1 = [[Cell("", 0, 3), Cell("自然人", 3), Cell("总计", 4)],
             [Cell("(六)其他处理", 1), Cell("1.申请人无正当理由逾期", 2), Cell("2", 3), Cell("2", 4)]]
    rest = [Cell("", 0), Cell("", 1), Cell("不补正、行政机关不再处理其政府信息公开申请", 2), Cell("", 3), Cell("", 4)]
    page2 = [[Cell("", 0, 3), Cell("自然人", 3), Cell("总计", 4)], rest,
             [Cell("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", 2), Cell("1", 3), Cell("1", 4)]]
    joined = join_page_grids(page1, page2)
    assert [[c.text for c in row if c.text] for row in joined[1:]] == [
        ["(六)其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "2", "2"],
        ["2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "1", "1"]]
    # a numbered row of its own, or a second half with figures of its own, is no continuation
    for first in ([Cell("2.重复申请", 2), Cell("", 3), Cell("", 4)], [Cell("不补正", 2), Cell("1", 3), Cell("1", 4)]):
        assert len(join_page_grids(page1, [page2[0], first])) == 3


def test_a_report_pdf_with_table_three_over_a_page_break_and_a_rotated_side_label():
    """fixtures/build_rotated_break_pdf.py: 三、本年度办理结果 written vertically in its merged cell,
    the row （六）1 cut by the break (label over both pages, figures on the first), the header
    printed again on page 2, page footers."""
    import json

    from tests.fixtures import FIXTURES
    path = FIXTURES / "real" / "pdf_rotated_break_2021.pdf"
    report = parse_report(path.read_bytes(), filename=path.name)
    answer = json.loads(path.with_name("pdf_rotated_break_2021.expected.json").read_text(encoding="utf-8"))
    for key in ("agency", "year", "template", "published", "active", "applications", "appeals"):
        assert report[key] == answer[key], key
    assert report["flags"] == []
