"""DOCX and PDF attachments go through the same parser; broken ones fail cleanly."""
import io

import docx
import pytest

from crawler.report import UnreadableInput, parse_report
from tests.fixtures import html_cases as cases
from tests.fixtures.text_cases import ROWS_2019


def build_docx() -> bytes:
    document = docx.Document()
    for line in ["东坡区司法局2020年政府信息公开工作年度报告", "一、总体情况", "2020年，全年共收到政府信息公开申请7件。",
                 "三、收到和处理政府信息公开申请情况"]:
        document.add_paragraph(line)
    table = document.add_table(rows=0, cols=9)
    header = table.add_row().cells
    header[0].merge(header[1]).text = "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)"
    header[2].text = "自然人"
    header[3].merge(header[7]).text = "法人或其他组织"
    header[8].text = "总计"
    sub = table.add_row().cells
    for i, label in enumerate(["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]):
        sub[3 + i].text = label
    for label, values in ROWS_2019:
        cells = table.add_row().cells
        cells[0].merge(cells[1]).text = label
        if values == [0] * 7:
            cells[2].merge(cells[8]).text = "0"     # a row merged into one cell
        else:
            for i, v in enumerate(values or []):
                cells[2 + i].text = str(v)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_docx_attachment():
    r = parse_report(build_docx(), filename="report.docx")
    assert (r["agency"], r["year"], r["source"]["format"]) == ("东坡区司法局", 2020, "docx")
    apps = r["applications"]
    assert apps["new_received"] == dict(zip(cases.COLS, [5, 1, 0, 0, 1, 0, 7]))
    assert apps["unavailable_not_held"] == dict(zip(cases.COLS, [1, 0, 0, 0, 1, 0, 2]))
    assert apps["denied_state_secret"] == cases.merged(0)
    assert "balance_mismatch" not in {f["code"] for f in r["flags"]}


@pytest.mark.parametrize("body,name,message", [
    (b"%PDF-1.4 this is not really a pdf", "r.pdf", "unreadable PDF"),
    (b"PK\x03\x04 truncated zip", "r.docx", "unreadable DOCX"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "r.doc", "unreadable .doc"),
])
def test_broken_attachments_raise_a_clear_error(body, name, message):
    with pytest.raises(UnreadableInput, match=message):
        parse_report(body, filename=name)


def test_pdf_with_ruled_tables_and_spans():
    """A Word-exported PDF: pdfplumber finds the ruled tables, merged cells come back as gaps."""
    from pathlib import Path
    path = Path(__file__).parent / "fixtures" / "pdf" / "bureau_ruled_tables.pdf"
    r = parse_report(path.read_bytes(), filename=path.name)
    assert r["source"]["format"] == "pdf"
    for key in ("agency", "year", "template", "active", "applications", "appeals"):
        assert r[key] == cases.BUREAU_2022[key], key
    assert sorted(f["code"] for f in r["flags"]) == ["balance_mismatch", "balance_mismatch"]


def test_legacy_doc_attachment():
    """The DOCX above saved as Word 97–2003 .doc by LibreOffice: text from the piece table, cells as pipes."""
    from pathlib import Path
    path = Path(__file__).parent / "fixtures" / "doc" / "dongpo_justice_2020.doc"
    r = parse_report(path.read_bytes(), filename=path.name)
    assert (r["agency"], r["year"], r["source"]["format"]) == ("东坡区司法局", 2020, "doc")
    apps = r["applications"]
    assert apps["new_received"] == dict(zip(cases.COLS, [5, 1, 0, 0, 1, 0, 7]))
    assert apps["unavailable_not_held"] == dict(zip(cases.COLS, [1, 0, 0, 0, 1, 0, 2]))
    assert apps["denied_state_secret"] == cases.merged(0)
    assert apps["carried_forward"] == dict(zip(cases.COLS, [1, 0, 0, 0, 0, 0, 1]))
    assert len(apps) == 23
