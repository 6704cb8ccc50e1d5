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


def sniff_format(body: bytes, filename: str | None = None, content_type: str | None = None) -> str:
    """'pdf' | 'docx' | 'doc' | 'html' | 'text' from magic bytes first, then name and type."""
    head = body[:8]
    name = (filename or "").lower().split("?")[0]
    ctype = (content_type or "").lower()
    if head.startswith(PDF_MAGIC):
        return "pdf"
    if head.startswith(ZIP_MAGIC):
        return "docx"
    if head.startswith(OLE_MAGIC):
        return "doc"
    if name.endswith((".pdf",)) or "pdf" in ctype:
        return "pdf"   # claims to be a PDF but is not: let the PDF reader say so
    if name.endswith((".txt", ".md")) or ctype.startswith("text/plain"):
        return "text"
    sample = body[:2048].lower()
    if b"<html" in sample or b"<body" in sample or b"<table" in sample or b"<div" in sample or b"<p" in sample or "html" in ctype:
        return "html"
    return "text"


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


def read_pdf(body: bytes) -> tuple[str, list[list[list[Cell]]]]:
    """Text and ruled tables of the first PDF_MAX_PAGES pages: a report is 5-40 pages, and a
    file of 2 000 pages must not cost what all of them would."""
    import pdfplumber
    # pdfminer narrates every repair it makes to a damaged file; a clear error of ours is enough
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    check_pdf_streams(body)
    texts, grids = [], []
    try:
        with pdfplumber.open(io.BytesIO(body), pages=range(1, limits.PDF_MAX_PAGES + 1)) as pdf:
            for page in pdf.pages:
                texts.append(page.extract_text() or "")
                grids.extend(_rows_with_spans(table) for table in page.extract_tables())
    except MemoryError:
        raise
    except Exception as exc:  # pdfminer raises many unrelated types on broken files
        raise AttachmentError(f"unreadable PDF: {exc.__class__.__name__}") from exc
    text = "\n".join(texts)
    if not text.strip():
        raise AttachmentError("PDF has no text layer (scanned image); OCR is not supported")
    return text, grids


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
