"""Text and table grids out of PDF and DOCX attachments."""
from __future__ import annotations

import io
import logging
import re
import zipfile
import zlib

from . import limits
from .exc import AttachmentError, ParseLimitExceeded
from .tables import Cell

PDF_MAGIC = b"%PDF"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"   # .doc / .wps / old .xls
ZIP_MAGIC = b"PK\x03\x04"


# First bytes of the pictures a report page may show its tables as.
IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*")
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp")


def sniff_format(body: bytes, filename: str | None = None, content_type: str | None = None) -> str:
    """'pdf' | 'docx' | 'xlsx' | 'ofd' | 'doc' | 'xls' | 'image' | 'html' | 'text' from magic bytes
    first (and the container's contents), then name and type."""
    head = body[:8]
    name = (filename or "").lower().split("?")[0]
    ctype = (content_type or "").lower()
    if head.startswith(PDF_MAGIC):
        return "pdf"
    if head.startswith(ZIP_MAGIC):
        return _zip_format(body)
    if head.startswith(OLE_MAGIC):
        return "xls" if b"W\x00o\x00r\x00k\x00b\x00o\x00o\x00k" in body[:65536] or name.endswith(".xls") else "doc"
    if head.startswith(IMAGE_MAGIC) or (head[:4] == b"RIFF" and body[8:12] == b"WEBP"):
        return "image"
    if name.endswith((".pdf",)) or "pdf" in ctype:
        return "pdf"   # claims to be a PDF but is not: let the PDF reader say so
    if name.endswith((".txt", ".md")) or ctype.startswith("text/plain"):
        return "text"
    sample = body[:2048].lower()
    if b"<html" in sample or b"<body" in sample or b"<table" in sample or b"<div" in sample or b"<p" in sample or "html" in ctype:
        return "html"
    return "text"


def _zip_format(body: bytes) -> str:
    """DOCX, XLSX and OFD are all ZIP files: their first entries tell which."""
    import zipfile
    try:
        names = zipfile.ZipFile(io.BytesIO(body)).namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return "docx"      # let the DOCX reader say it is broken
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    if any(n.lower() == "ofd.xml" for n in names):
        return "ofd"
    return "docx"


# A page whose text layer holds fewer characters than this (a seal's name, a page number) is a scan.
_SCAN_TEXT_CHARS = 40
_PAGE_NUMBER = re.compile(r"^[\s\-—–]*(第\s*\d+\s*页)?[\s\-—–]*(共\s*\d+\s*页)?[\s\-—–]*\d*[\s\-—–]*$")


def is_scanned_page(text: str, has_images: bool) -> bool:
    """A page with a picture and no real text layer: nothing, a page number, or a few characters of a seal."""
    if not has_images:
        return False
    lines = [line for line in text.splitlines() if not _PAGE_NUMBER.match(line)]
    return len(re.sub(r"\s", "", "".join(lines))) < _SCAN_TEXT_CHARS


_PDF_STREAM = re.compile(rb"stream\r?\n")
_MIB = 1024 * 1024


def check_pdf_streams(body: bytes) -> None:
    """Refuse a PDF whose compressed streams inflate past PDF_MAX_INFLATED_MB (a Flate bomb),
    before pdfminer inflates one whole into memory. Images are not counted: they are not read."""
    budget = limits.PDF_MAX_INFLATED_MB * _MIB
    for match in _PDF_STREAM.finditer(body):
        header = body[max(0, match.start() - 400):match.start()]
        header = header[header.rfind(b"<<"):]
        if b"FlateDecode" not in header or b"/Image" in header:
            continue
        end = body.find(b"endstream", match.end())
        data = body[match.end():end if end > 0 else len(body)]
        inflater = zlib.decompressobj()
        try:
            while data and budget >= 0 and not inflater.eof:
                inflated = inflater.decompress(data, _MIB)
                if not inflated and inflater.unconsumed_tail == data:
                    break       # no progress: truncated or damaged
                budget -= len(inflated)
                data = inflater.unconsumed_tail
        except zlib.error:
            continue            # a damaged stream: pdfminer copes or says so
        if budget < 0:
            raise ParseLimitExceeded(f"PDF streams inflate to over {limits.PDF_MAX_INFLATED_MB} MiB (limit PDF_MAX_INFLATED_MB)")


def read_pdf(body: bytes) -> tuple[str, list[list[list[Cell]]], object]:
    """Text and table grids of the first PDF_MAX_PAGES pages (a report is 5-40 pages, and a file of
    2 000 pages must not cost what all of them would); pages that are scans are read by OCR
    (crawler.ocr) and returned with the OCR's readings. A table that runs over a page break is one grid."""
    import pdfplumber
    # pdfminer narrates every repair it makes to a damaged file; a clear error of ours is enough
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    check_pdf_streams(body)
    texts, pages, scanned = [], [], []
    try:
        with pdfplumber.open(io.BytesIO(body), pages=range(1, limits.PDF_MAX_PAGES + 1)) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                text = page.extract_text() or ""
                if is_scanned_page(text, bool(page.images)):
                    scanned.append(number)
                    texts.append(None)
                    pages.append(None)
                    continue
                texts.append(text)
                pages.append(_page_tables(page))
    except MemoryError:
        raise
    except Exception as exc:  # pdfminer raises many unrelated types on broken files
        raise AttachmentError(f"unreadable PDF: {exc.__class__.__name__}") from exc
    ocr_pages = _ocr_pages(body, scanned) if scanned else {}
    from .ocr import OcrText, join_pages
    joined = [ocr_pages[number] if number in ocr_pages else
              OcrText(grids=[g for g, _, _ in tables], opens_page=bool(tables) and tables[0][1],
                      closes_page=bool(tables) and tables[-1][2])
              for number, tables in enumerate(pages, start=1)]
    whole = join_pages(joined)
    # the text layer's text; what OCR read outside the tables stays with the OCR (crawler.report
    # uses it for identity and prose, never for figures)
    text = "\n".join(t for t in texts if t)
    if not text.strip() and not whole.text.strip() and not whole.grids:
        raise AttachmentError("PDF has no text")
    ocr = None
    if ocr_pages:
        ocr = whole
        ocr.sources = [f"page {n}" for n in scanned]
    return text, whole.grids, ocr


def _page_tables(page) -> list[tuple[list[list[Cell]], bool, bool]]:
    """The ruled tables of a text page: (grid, starts the page, ends the page)."""
    tables = page.find_tables()
    out = []
    words = page.extract_words()
    for table in tables:
        top, bottom = table.bbox[1], table.bbox[3]
        above = [w for w in words if w["bottom"] <= top and not _PAGE_NUMBER.match(w["text"])]
        below = [w for w in words if w["top"] >= bottom and not _PAGE_NUMBER.match(w["text"])]
        out.append((_rows_with_spans(table.extract()), not above, not below))
    return out


def _ocr_pages(body: bytes, numbers: list[int]) -> dict:
    """The scanned pages, rendered and read by OCR."""
    import pypdfium2

    from .ocr import OcrUnavailable, read_pixels, unavailable_reason
    reason = unavailable_reason()
    if reason:
        raise AttachmentError(f"PDF pages {', '.join(map(str, numbers))} are scans without a text layer; {reason}")
    pdf = pypdfium2.PdfDocument(body)
    try:
        out = {}
        for number in numbers:
            page = pdf[number - 1]
            scale = 2400 / max(1.0, page.get_width())      # about 300 dpi for an A4 page
            gray = page.render(scale=scale, grayscale=True).to_numpy()
            gray = gray[:, :, 0] if gray.ndim == 3 else gray
            try:
                out[number] = read_pixels(gray, f"page {number}")
            except OcrUnavailable as exc:
                raise AttachmentError(f"PDF page {number} is a scan; {exc}") from exc
        return out
    finally:
        pdf.close()


def _rows_with_spans(table: list[list[str | None]]) -> list[list[Cell]]:
    """pdfplumber marks the cells a merged cell covers as None; fold them into its span."""
    rows = []
    for raw in table:
        cells: list[Cell] = []
        for c, value in enumerate(raw):
            if value is None:
                if cells:
                    cells[-1].span += 1
                continue
            cells.append(Cell(" ".join(str(value).split()), c, 1))
        rows.append(cells)
    return rows


def check_docx_size(body: bytes) -> None:
    """Refuse a DOCX whose members uncompress past DOCX_MAX_UNCOMPRESSED_MB (a zip bomb), from
    the sizes its directory declares (zipfile never inflates a member past its declared size)."""
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            size = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return                  # damaged: the reader says so
    if size > limits.DOCX_MAX_UNCOMPRESSED_MB * _MIB:
        raise ParseLimitExceeded(f"DOCX uncompresses to {size // _MIB} MiB, over the limit of "
                                 f"{limits.DOCX_MAX_UNCOMPRESSED_MB} MiB (DOCX_MAX_UNCOMPRESSED_MB)")


def read_docx(body: bytes) -> tuple[str, list[list[list[Cell]]]]:
    import docx
    check_docx_size(body)
    try:
        document = docx.Document(io.BytesIO(body))
        lines = [p.text for p in document.paragraphs]
        tables = list(document.tables)
    except MemoryError:
        raise
    except Exception as exc:   # zipfile, zlib and lxml each fail their own way on a damaged file
        raise AttachmentError(f"unreadable DOCX: {exc.__class__.__name__}") from exc
    grids = []
    for table in tables:
        rows = []
        for row in table.rows:
            cells, seen = [], []
            for c, cell in enumerate(row.cells):
                # a horizontally merged cell is returned once per grid column it covers
                if seen and seen[-1] is cell._tc:
                    cells[-1].span += 1
                    continue
                seen.append(cell._tc)
                cells.append(Cell(" ".join(cell.text.split()), c, 1))
            rows.append(cells)
        grids.append(rows)
        lines.extend(" | ".join(c.text for c in row) for row in rows)
    return "\n".join(lines), grids


def read_doc(body: bytes) -> tuple[str, list]:
    """Text of a legacy Word 97–2003 .doc (and the .wps files WPS saves in that format), read
    from the document's piece table. Table cells become `|`-separated, as the text parser expects."""
    import struct

    import olefile
    try:
        ole = olefile.OleFileIO(io.BytesIO(body))
        word = ole.openstream("WordDocument").read()
        flags = struct.unpack_from("<H", word, 0x0A)[0]
        if flags & 0x0100:
            raise AttachmentError("the .doc is encrypted")
        table = ole.openstream("1Table" if flags & 0x0200 else "0Table").read()
        csw = struct.unpack_from("<H", word, 32)[0]
        lw = 32 + 2 + csw * 2 + 2                       # FibRgLw97
        cslw = struct.unpack_from("<H", word, lw - 2)[0]
        ccp_text = struct.unpack_from("<I", word, lw + 12)[0]
        fc_lcb = lw + cslw * 4 + 2                      # FibRgFcLcb97
        fc_clx, lcb_clx = struct.unpack_from("<II", word, fc_lcb + 33 * 8)
        clx = table[fc_clx:fc_clx + lcb_clx]
        pos = 0
        while clx[pos] == 0x01:                        # Prc: formatting we don't need
            pos += 3 + struct.unpack_from("<H", clx, pos + 1)[0]
        lcb = struct.unpack_from("<I", clx, pos + 1)[0]
        plc = clx[pos + 5:pos + 5 + lcb]
        pieces = (lcb - 4) // 12
        cps = struct.unpack_from(f"<{pieces + 1}I", plc, 0)
        parts = []
        for i in range(pieces):
            start, end = cps[i], min(cps[i + 1], ccp_text)
            if start >= end:
                break
            fc = struct.unpack_from("<I", plc, (pieces + 1) * 4 + i * 8 + 2)[0]
            if fc & 0x40000000:                        # 8-bit text
                offset = (fc & 0x3FFFFFFF) // 2
                parts.append(word[offset:offset + end - start].decode("cp1252", "replace"))
            else:
                offset = fc & 0x3FFFFFFF
                parts.append(word[offset:offset + 2 * (end - start)].decode("utf-16-le", "replace"))
    except AttachmentError:
        raise
    except MemoryError:
        raise
    except Exception as exc:   # olefile, struct and slicing each fail their own way on a damaged file
        raise AttachmentError(f"unreadable .doc/.wps: {exc.__class__.__name__}") from exc
    text = re.sub(r"\x13[^\x13\x14\x15]*\x14?|\x15", "", "".join(parts))   # field codes, keeping their results
    text = text.replace("\x07", " |").replace("\r", "\n").replace("\x0b", "\n").replace("\x0c", "\n")
    text = re.sub(r"[\x00-\x08\x0e-\x1f]", "", text)
    if not text.strip():
        raise AttachmentError("the .doc has no text")
    return text, []


def read_xlsx(body: bytes) -> tuple[str, list]:
    """Each sheet of an Excel workbook as a grid (merged cells as spans), and its rows as text."""
    import openpyxl
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(body), data_only=True, read_only=False)
    except Exception as exc:    # zipfile, lxml and openpyxl each fail their own way on a damaged file
        raise AttachmentError(f"unreadable XLSX: {exc.__class__.__name__}") from exc
    grids, lines = [], []
    for sheet in workbook.worksheets:
        covered = {}      # (row, col) of every cell a merged range hides → the range's width at its start
        for merged in sheet.merged_cells.ranges:
            for row in range(merged.min_row, merged.max_row + 1):
                for col in range(merged.min_col, merged.max_col + 1):
                    covered[(row, col)] = merged.max_col - merged.min_col + 1 if (row, col) == (merged.min_row, merged.min_col) else 0
        grid = []
        for r, row in enumerate(sheet.iter_rows(), start=1):
            cells = []
            for c, cell in enumerate(row, start=1):
                span = covered.get((r, c), 1)
                if span == 0:
                    continue
                cells.append(Cell(_cell_text(cell.value), c - 1, span))
            if any(cell.text for cell in cells):
                grid.append(cells)
                lines.append(" | ".join(cell.text for cell in cells))
        if grid:
            grids.append(grid)
    if not lines:
        raise AttachmentError("the workbook has no text")
    return "\n".join(lines), grids


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def read_xls(body: bytes) -> tuple[str, list]:
    """A legacy Excel 97–2003 workbook, converted to XLSX by LibreOffice."""
    from .convert import convert
    return read_xlsx(convert(body, "xls", "xlsx"))


def read_doc_any(body: bytes) -> tuple[str, list]:
    """A .doc or Kingsoft .wps: the piece-table reader first; what it cannot read (a Kingsoft
    format, fast-saved or damaged tables) is converted to DOCX by LibreOffice."""
    try:
        return read_doc(body)
    except AttachmentError as exc:
        if "encrypted" in str(exc) or not _ole_container_opens(body):
            raise       # a damaged container: LibreOffice cannot read it either
        first = exc
    from .convert import convert
    try:
        return read_docx(convert(body, "doc", "docx"))
    except AttachmentError as exc:
        raise AttachmentError(f"{first}; {exc}") from exc


def _ole_container_opens(body: bytes) -> bool:
    import olefile
    try:
        olefile.OleFileIO(io.BytesIO(body)).close()
        return True
    except Exception:   # olefile raises many types on a damaged container
        return False


def read_ofd(body: bytes) -> tuple[str, list]:
    raise AttachmentError("OFD (GB/T 33190) document: no OFD converter is installed; stored raw for a later re-parse")
