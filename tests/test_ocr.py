"""OCR of pictures of tables and scanned PDFs (crawler/ocr.py): grids from ruling lines, the
readings put back into the parsed tables, and every figure of the demo's two picture reports."""
import json
from pathlib import Path

import pytest

from crawler import ocr
from crawler.attachments import is_scanned_page, sniff_format
from crawler.report import UnreadableInput, parse_report

ROOT = Path(__file__).resolve().parents[1]
SHIMEN = ROOT / "demo" / "sites" / "www.shimen.gov.test" / "xxgk" / "ndbg"
TRUTH = json.loads((ROOT / "demo" / "ocr_truth.json").read_text(encoding="utf-8"))
needs_tesseract = pytest.mark.skipif(ocr.unavailable_reason() is not None,
                                     reason=f"{ocr.unavailable_reason()} (make system-deps, as root)")


# ------------------------------------------------------------------ pure parts

def placeholders(values: dict, readings: dict) -> dict:
    """A parsed table whose figures are placeholders, as the table parser returns OCR'd grids."""
    out = {}
    for row, columns in values.items():
        out[row] = {}
        for column, reading in columns.items():
            number = next(ocr._placeholders)
            readings[number] = reading
            out[row][column] = number
    return out


def sure(value):
    return ocr.Reading(value, (value,), 95.0, "page 1")


def test_resolve_puts_readings_back_and_settles_a_doubtful_figure_by_the_row_total():
    readings = {}
    row = {c: sure(0) for c in ("commercial", "research", "nonprofit", "legal_services", "other_org")}
    row["natural_person"] = ocr.Reading(None, (8, 3), 40.0, "image 1 row 5 column 4")    # 8 or 3?
    row["total"] = sure(8)
    tables = {"applications": placeholders({"granted": row}, readings), "appeals": {}, "active": {}}
    resolved, blanks = ocr.resolve(tables, readings)
    assert resolved["applications"]["granted"]["natural_person"] == 8
    assert resolved["applications"]["granted"]["total"] == 8 and blanks == []


def test_a_doubtful_figure_no_reading_fits_stays_blank_and_is_named():
    readings = {}
    row = {c: sure(0) for c in ("commercial", "research", "nonprofit", "legal_services", "other_org")}
    row["natural_person"] = ocr.Reading(None, (5, 6), 30.0, "image 2 row 7 column 4")
    row["total"] = sure(8)
    tables = {"applications": placeholders({"granted": row}, readings)}
    resolved, blanks = ocr.resolve(tables, readings)
    assert resolved["applications"]["granted"]["natural_person"] is None
    assert blanks == ["applications.granted.natural_person (image 2 row 7 column 4: read 5/6)"]


def test_a_failing_sum_blanks_the_figures_not_read_with_high_confidence_only():
    readings = {}
    hesitant = ocr.Reading(6, (6,), 70.0, "page 2 row 3 column 4")
    row = {"upheld": hesitant, "corrected": sure(1), "other": sure(0), "pending": sure(0), "total": sure(8)}
    tables = {"appeals": placeholders({"review": row}, readings)}
    resolved, blanks = ocr.resolve(tables, readings)
    assert resolved["appeals"]["review"] == {"upheld": None, "corrected": 1, "other": 0, "pending": 0, "total": 8}
    assert len(blanks) == 1
    # read with high confidence everywhere: the report's own mistake, kept (validation flags it)
    readings = {}
    row = {"upheld": sure(6), "corrected": sure(1), "other": sure(0), "pending": sure(0), "total": sure(8)}
    resolved, blanks = ocr.resolve({"appeals": placeholders({"review": row}, readings)}, readings)
    assert resolved["appeals"]["review"]["upheld"] == 6 and blanks == []


def test_labels_are_snapped_to_the_template_only_when_close():
    assert ocr.snap_label("(三|不于公开") == "(三)不予公开"
    assert ocr.snap_label("-(五)趟了处理") == "(五)不予处理"
    assert ocr.snap_label("规音") == "规章"
    assert ocr.snap_label("本年新收政府信息公开申请数童") == "一、本年新收政府信息公开申请数量"
    assert ocr.snap_label("全年工作要点") == "全年工作要点"


def test_scanned_pages_and_pictures_are_recognised():
    assert is_scanned_page("", True) and is_scanned_page("- 3 -\n第3页 共5页", True)
    assert is_scanned_page("政府信息公开专用章", True)          # only a seal's text
    assert not is_scanned_page("", False)
    assert not is_scanned_page("一、总体情况\n2022年，本机关坚持以公开为常态、不公开为例外，全年主动公开政府信息120条。", True)
    for name in ("table2.jpg", "table4.png"):
        assert sniff_format((SHIMEN / "2022" / "images" / name).read_bytes()) == "image"
    assert sniff_format(b"GIF89a\x01\x00") == "image"


def test_only_the_article_pictures_are_taken_as_tables():
    html = """<html><body><div class="header"><img src="/images/logo.png"></div>
    <div id="zoom"><p>三、收到和处理政府信息公开申请情况</p><p><img src="t3.jpg"></p>
    <p><img src="data:image/png;base64,AAAA"></p><p><img src="/images/print.gif"></p><img src="t4.png"></div>
    <div class="footer"><img src="/images/jiucuo.png"></div></body></html>"""
    assert ocr.table_image_urls(html, "http://a.gov.test/ndbg/1.html") == ["http://a.gov.test/ndbg/t3.jpg",
                                                                          "http://a.gov.test/ndbg/t4.png"]
    assert ocr.tables_in_text("本年新收 … 第二十条第(一)项") and not ocr.tables_in_text("三、收到和处理政府信息公开申请情况")


def test_ruling_lines_give_rows_columns_and_merged_cells_on_a_tilted_picture():
    import cv2
    import numpy as np
    image = np.full((400, 900), 255, np.uint8)
    for y in (20, 120, 220, 320):
        cv2.line(image, (20, y), (880, y), 0, 2)
    for x in (20, 300, 580, 880):
        cv2.line(image, (x, 20), (x, 320), 0, 2)
    image[121:219, 575:586] = 255        # row 2: the line between columns 2 and 3 is missing: a merged cell
    image[215:226, 22:298] = 255         # column 1: rows 2 and 3 merged
    tilted = cv2.warpAffine(image, cv2.getRotationMatrix2D((450, 200), 1.5, 1.0), (900, 400), borderValue=255)
    gray, binary = ocr._prepare(tilted)
    horizontal, vertical = ocr._line_masks(binary)
    tables = ocr.find_tables(horizontal, vertical)
    assert len(tables) == 1
    cells = [(b.row, b.col, b.span) for b in tables[0][0]]
    assert cells == [(0, 0, 1), (0, 1, 1), (0, 2, 1), (1, 0, 1), (1, 1, 2), (2, 1, 1), (2, 2, 1)]


def test_a_scan_without_tesseract_is_unreadable_with_the_reason(monkeypatch):
    monkeypatch.setattr(ocr, "unavailable_reason", lambda: "OCR needs tesseract")
    with pytest.raises(UnreadableInput, match=r"pages 1, 2, 3 are scans.*OCR needs tesseract"):
        parse_report((SHIMEN / "jtj2020.pdf").read_bytes())


# ------------------------------------------------------------------ the demo's picture reports, every figure

@pytest.fixture(scope="module")
def picture_reports():
    images = [SHIMEN / "2022" / "images" / name for name in ("table2.jpg", "table3.jpg", "table4.png")]
    page = parse_report((SHIMEN / "2022" / "art_1.html").read_bytes(), url="http://www.shimen.gov.test/xxgk/ndbg/2022/art_1.html",
                        continuations=[p.read_bytes() for p in images],
                        continuation_urls=[f"http://www.shimen.gov.test/xxgk/ndbg/2022/images/{p.name}" for p in images])
    scan = parse_report((SHIMEN / "jtj2020.pdf").read_bytes(), url="http://www.shimen.gov.test/xxgk/ndbg/jtj2020.pdf")
    return {"images": page, "scan": scan}


def score(report: dict, truth: dict) -> tuple[int, list, list]:
    right, wrong, blank = 0, [], []
    for table in ("active", "applications", "appeals"):
        for row, columns in truth[table].items():
            for column, value in columns.items():
                got = (report[table].get(row) or {}).get(column)
                if got is None:
                    blank.append((table, row, column))
                elif got == value:
                    right += 1
                else:
                    wrong.append((table, row, column, value, got))
    return right, wrong, blank


@needs_tesseract
@pytest.mark.parametrize("kind", ["images", "scan"])
def test_every_figure_is_right_or_blank_never_wrong(picture_reports, kind):
    report, truth = picture_reports[kind], TRUTH[kind]
    assert (report["agency"], report["year"], report["template"]) == (truth["agency"], truth["year"], truth["template"])
    right, wrong, blank = score(report, truth)
    assert wrong == []                                     # no wrong number from OCR
    assert right / (right + len(blank)) >= 0.95, blank
    partial = [f["detail"] for f in report["flags"] if f["code"] == "partial_table"]
    ocr_blanks = [d for d in partial if "read by OCR" in d]
    blank_figures = [b for b in blank if b[0] != "active" or b[1] in report["active"]]
    assert bool(ocr_blanks) == bool(blank_figures)         # a figure left blank is always flagged


@needs_tesseract
def test_the_ocr_flag_names_the_pictures_and_pages(picture_reports):
    images = [f["detail"] for f in picture_reports["images"]["flags"] if f["code"] == "ocr"]
    assert len(images) == 1 and all(f"images/{n}" in images[0] for n in ("table2.jpg", "table3.jpg", "table4.png"))
    scan = [f["detail"] for f in picture_reports["scan"]["flags"] if f["code"] == "ocr"]
    assert len(scan) == 1 and "page 1, page 2, page 3" in scan[0]
    assert picture_reports["scan"]["source"]["ocr"]["read"] == ["page 1", "page 2", "page 3"]
    assert picture_reports["scan"]["source"]["ocr"]["seconds"] > 0


@needs_tesseract
def test_table_four_split_by_the_page_break_is_whole(picture_reports):
    assert picture_reports["scan"]["appeals"] == TRUTH["scan"]["appeals"]
