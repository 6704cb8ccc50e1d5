"""One annual report: bytes (or text) in, the schema's dict out. No network, no Scrapy."""
from __future__ import annotations

import re

from . import PARSER_VERSION, ocr
from .align import align_applications, has_detached_rows
from .attachments import read_doc_any, read_docx, read_ofd, read_pdf, read_xls, read_xlsx, sniff_format
from .clean import clean_text, normalise_fragment
from .decode import decode_bytes
from .discover import classify_page
from .exc import AttachmentError, NotAReport, ParseLimitExceeded, UnreadableInput
from .extract import Extracted, extract_html
from .glued import is_glued, parse_glued, stated_figures, template_of
from .identify import (
    agency_in_body,
    canonical_agency,
    document_date,
    expected_template,
    find_title,
    is_name_like,
    is_plausible_agency,
    normalise_years,
    page_metadata,
    parse_date,
    signature_agency,
    year_in_body,
)
from .sanitize import scrub
from .schema import MAX_FIGURE, TABLE_NAMES, TABLES, Flag, Report, Source, expected_application_rows, flag
from .spam import find_spam, strip_spam
from .tables import (
    Cell,
    grid_tokens,
    grid_width,
    join_page_grids,
    parse_active,
    parse_appeals,
    parse_applications,
    section_of_table,
    split_grid,
    split_sections,
    template_signals,
    text_tokens,
)
from .units import convert_to_wan
from .validate import stated_received, validate

__all__ = ["NotAReport", "UnreadableInput", "parse_report", "read_document"]


def parse_report(body: bytes | str, *, url: str | None = None, content_type: str | None = None,
                 filename: str | None = None, agency_hint: str | None = None,
                 continuations: list[bytes] = (), continuation_urls: list[str] = ()) -> Report:
    """Parse one report page or file. `continuations` are the later pages of a report split
    over several pages, and the pictures of its tables (read by OCR), named by
    `continuation_urls` when given; `agency_hint` (e.g. the portal's agency) is used only when
    the page itself names no plausible agency."""
    extracted, flags, source = read_document(body, url=url, content_type=content_type, filename=filename)
    for n, more in enumerate(continuations):
        name = continuation_urls[n] if n < len(continuation_urls) else None
        try:
            extra, extra_flags, _ = read_document(more, url=name, content_type=content_type)
        except UnreadableInput as exc:
            if sniff_format(more) != "image":
                raise
            flags.append(flag("partial_table", f"picture {name or n + 1} not read: {exc}"))
            continue
        if sniff_format(more) != "image":      # a picture's text stays with its OCR (extra.ocr)
            extracted.text += "\n" + extra.text
        extracted.grids += extra.grids
        if extra.ocr:
            if extracted.ocr:
                extracted.ocr.add(extra.ocr)
            else:
                extracted.ocr = extra.ocr
        flags += [f for f in extra_flags if f not in flags]
    return _parse_extracted(extracted, flags, source, agency_hint)


def read_document(body: bytes | str, *, url=None, content_type=None, filename=None) -> tuple[Extracted, list[Flag], Source]:
    """Any supported input to its text, titles, metadata and grids, with the decoding flags."""
    flags: list[Flag] = []
    source: Source = {"url": url, "format": None, "encoding": None}
    if isinstance(body, str):
        source["format"] = "html" if re.search(r"<(html|body|table|div|p)[\s>]", body[:4096], re.I) else "text"
        return _extract(body, source["format"]), flags, source
    fmt = sniff_format(body, filename or url, content_type)
    source["format"] = fmt
    if fmt == "pdf":
        return _from_attachment(read_pdf, body), flags, source
    if fmt == "docx":
        return _from_attachment(read_docx, body), flags, source
    if fmt in _READERS:
        return _from_attachment(_READERS[fmt], body), flags, source
    if fmt == "image":
        return _from_image(body, url), flags, source
    decoded = decode_bytes(body, content_type)
    source["encoding"] = decoded.encoding
    if decoded.repaired:
        flags.append(flag("encoding_repaired", f"declared {decoded.declared}, decoded as {decoded.encoding}"))
    return _extract(decoded.text, fmt), flags, source


_READERS = {"doc": read_doc_any, "xlsx": read_xlsx, "xls": read_xls, "ofd": read_ofd}


def _extract(text: str, fmt: str) -> Extracted:
    if fmt == "html":
        return extract_html(text)
    return Extracted(text=text, header_text=text[:4000])


def _from_attachment(reader, body: bytes) -> Extracted:
    try:
        text, grids, *ocr = reader(body)
    except ParseLimitExceeded:
        raise
    except AttachmentError as exc:
        raise UnreadableInput(str(exc)) from exc
    read = ocr[0] if ocr else None
    return Extracted(text=text, header_text=(text or (read.text if read else ""))[:4000], grids=grids, ocr=read)


def _from_image(body: bytes, name: str | None) -> Extracted:
    """A picture of tables (or of a whole page), read by OCR. A picture with no table in it
    (a photo, a banner the page furniture filter let through) adds nothing, and no `ocr` flag."""
    try:
        read = ocr.read_image(body, f"image {name}" if name else "image")
    except ocr.OcrUnavailable as exc:
        raise UnreadableInput(f"picture not read: {exc}") from exc
    except Exception as exc:   # OpenCV and Pillow fail in their own ways on odd pictures
        raise UnreadableInput(f"picture not read: {exc.__class__.__name__}") from exc
    return Extracted(text="", header_text=read.text[:4000], grids=read.grids, ocr=read if read.grids else None)


def _parse_extracted(ex: Extracted, flags: list[Flag], source: Source, agency_hint: str | None) -> Report:
    # what OCR read outside the tables names the report and tells its prose, but its figures were
    # read once and never checked: the tables come from the OCR'd grids only
    ocr_prose = ex.ocr.text if ex.ocr else ""
    text, clean_flags = clean_text("\n".join(t for t in (ex.text, ocr_prose) if t))
    flags.extend(clean_flags)
    traditional = any(f["code"] == "traditional_script" for f in clean_flags)

    def clean(fragment: str) -> str:
        return normalise_fragment(fragment, traditional)

    titles = [clean(t) for t in ex.titles]
    more_titles = [clean(t) for t in ex.more_titles]
    header_text = clean(ex.header_text)
    grids = [[[c if c.text.isascii() else _cleaned_cell(c, clean) for c in row] for row in grid] for grid in ex.grids]

    spam = find_spam("\n".join([text, *titles, *more_titles]))
    spam_links = [p for p in find_spam("\n".join(anchor for _, anchor in ex.links)) if p not in spam]
    if spam or spam_links:
        parts = (["injected phrases removed: " + "; ".join(spam[:5])] if spam else []) + \
                (["gambling links on the page: " + "; ".join(spam_links[:5])] if spam_links else [])
        flags.append(flag("spam_injection", "; ".join(parts)))
    clean_body = strip_spam(text) if spam else text
    clean_body = normalise_years(clean_body)

    # Identity: the raw title keeps the spam so agency_raw shows what was printed.
    title, agency_raw, year = None, None, None
    # the report's own first lines rank above headings that may belong to sidebars
    for candidate in [*titles, text[:600], *more_titles]:
        title, agency_raw, year = find_title(normalise_years(candidate))
        if year:
            break
    year = year or year_in_body(clean_body)
    meta = {**page_metadata(header_text), **page_metadata(clean_body[:3000])}
    for key in ("published", "publisher"):
        if ex.meta.get(key) and key not in meta:
            meta[key] = parse_date(ex.meta[key]) if key == "published" else clean(ex.meta[key])
    if meta.get("publisher"):       # a hacked page's 来源 may be the spam itself
        meta["publisher"] = strip_spam(meta["publisher"]).strip(" -_|") or None
    agency, agency_flag = _resolve_agency(agency_raw, meta, ex.meta, agency_hint, clean_body)
    if agency_flag:
        flags.append(agency_flag)

    table_body = clean_body
    if ocr_prose:
        layer_text = clean_text(ex.text)[0]
        table_body = normalise_years(strip_spam(layer_text) if spam else layer_text)
    tables, table_flags, template = _parse_tables(table_body, grids, year)
    if ex.ocr:
        tables, ocr_flags = _resolve_ocr(tables, ex.ocr)
        table_flags += ocr_flags
        source["ocr"] = {"read": ex.ocr.sources, "seconds": round(ex.ocr.seconds, 2)}
    found = [s for s in TABLES if tables[s]]
    has_headings = bool(re.search(r"总体情况|主动公开政府信息情况|收到和处理政府信息公开申请", clean_body))
    if not (len(found) >= 2 or (year and (found or has_headings))):
        raise NotAReport("no 政府信息公开工作年度报告 title or statistical tables found")
    # a page about a report (its 更正说明, 解读, a notice to compile one) may quote its headings,
    # not its tables
    about = next((t for t in (*titles[:1], title) if t and classify_page(t) == "lookalike"), None)
    if about and len(found) < 2:
        raise NotAReport(f"a page about a report, not the report: {about}")

    report: Report = {
        "agency": agency,
        "agency_raw": agency_raw,
        "year": year,
        "template": template,
        "published": meta.get("published") or document_date(clean_body, year),
        **tables,
        "flags": [],
        # additive fields (see README): where the identity came from
        "title": strip_spam(title).strip(" -_|") if title else None,
        "publisher": meta.get("publisher"),
        "index_no": meta.get("index_no"),
        "agency_key": canonical_agency(agency),
        "source": source,
        "parser_version": PARSER_VERSION,
    }
    report["flags"] = flags + table_flags + validate(report, clean_body)
    return scrub(report)


def _cleaned_cell(cell: Cell, clean) -> Cell:
    text = clean(cell.text)
    return cell if text == cell.text else Cell(text, cell.col, cell.span)     # many cells need nothing


def _resolve_agency(raw: str | None, meta: dict, html_meta: dict, hint: str | None,
                    body: str = "") -> tuple[str | None, Flag | None]:
    """The title's agency when it is plausible; else, in order, 发布机构, the report's first
    sentence, its signature (落款), the site name and the portal list. The last two name the site, not the document,
    so using them (or replacing a printed name) is flagged agency_suspect."""
    cleaned = strip_spam(raw).strip(" -_|:：") if raw else None
    if is_plausible_agency(cleaned):
        # "县市场监督管理局" in the title, "云岭县市场监督管理局" as 发布机构: one body, named in full
        full = next((c for c in (meta.get("publisher"), agency_in_body(body))
                     if c and len(c) > len(cleaned) and c.endswith(cleaned) and is_plausible_agency(c)), None)
        return full or cleaned, None
    candidates = ((meta.get("publisher"), "发布机构", True), (agency_in_body(body), "report's first sentence", True),
                  (signature_agency(body), "signature", True),
                  (_site_agency(html_meta.get("site")), "site name", False), (hint, "portal list", False))
    for candidate, where, specific in candidates:
        candidate = strip_spam(candidate).strip() if candidate else None
        if not is_plausible_agency(candidate):
            continue
        if raw and not specific and is_name_like(cleaned):
            # a body of a kind the suffix list does not know (…电视台): the site's agency in its
            # place would merge the report into the site owner's own
            return cleaned, flag("agency_suspect", f"title names {raw!r}, not a known kind of government body; "
                                                   f"kept rather than the {where}'s {candidate}")
        if raw:
            return candidate, flag("agency_suspect", f"title names {raw!r}; agency taken from the {where}")
        if not specific:
            return candidate, flag("agency_suspect", f"no agency in the title; taken from the {where}")
        return candidate, None
    return None, flag("agency_suspect", f"title names {raw!r}, not a government body; no other source"
                      if raw else "no agency named in the title, page metadata or site")


def _site_agency(site: str | None) -> str | None:
    if not site:
        return None
    return re.sub(r"(门户网站|政务网|政府网|网站|官网|门户)$", "", site.strip())


def _parse_tables(text: str, grids, year: int | None) -> tuple[dict, list[Flag], str | None]:
    sections_text = split_sections(text)
    if not grids and is_glued(sections_text.get("applications", "")):
        template = template_of(sections_text) or expected_template(year)
        prose = {"received": stated_received(text, year), **stated_figures(text)}
        results, problems, flags = parse_glued(sections_text, template, prose)
        flags += convert_to_wan(results["active"], sections_text.get("active", ""))
        return results, flags + _structure_flags(results, problems, template), template
    grid_parts: dict[str, list] = {}
    for grid in grids:
        kind = section_of_table(" ".join(c.text for row in grid for c in row))
        parts = split_grid(grid, kind) if kind else {}
        for name, rows in parts.items():
            if name in ("applications", "appeals") and grid_parts.get(name):
                # a table cut in two (Word's page break, a CMS's paging): the second part's rows lack
                # the first part's spanning label column, so each lines up on the right (the figures)
                grid_parts[name] = join_page_grids(grid_parts[name], _right_aligned(rows, grid_width(grid_parts[name])))
            else:
                grid_parts.setdefault(name, []).extend(rows)
    grid_cells = {name: grid_tokens(rows, name) for name, rows in grid_parts.items()}

    def token_sources(name):
        """Grid cells first; the flattened text only when the grid gives nothing."""
        if name in grid_cells:
            yield grid_cells[name]
        if name in sections_text:
            yield text_tokens(sections_text[name])

    def first(name):
        return next(token_sources(name), [])

    template = template_signals(first("active"), first("applications")) or expected_template(year)
    results, problems = {}, {}
    for name in TABLES:
        results[name], problems[name] = {}, []
        if name == "applications" and name not in grid_cells and has_detached_rows(sections_text.get(name, "")):
            results[name], problems[name], _ = align_applications(sections_text[name], template)
            continue
        for tokens in token_sources(name):
            if name == "active":
                parsed, issues = parse_active(tokens, template) if template else ({}, ["active: template unknown"])
            elif name == "applications":
                parsed, issues = parse_applications(tokens)
            else:
                parsed, issues = parse_appeals(tokens)
            if parsed:
                results[name], problems[name] = parsed, issues
                break
            problems[name] = issues

    unit_flags = convert_to_wan(results["active"], sections_text.get("active", ""))
    return results, unit_flags + _structure_flags(results, problems, template), template


def _right_aligned(rows: list[list[Cell]], width: int) -> list[list[Cell]]:
    """Each row shifted so that its last cell ends in the grid's last column."""
    aligned = []
    for row in rows:
        shift = width - grid_width([row])
        aligned.append([Cell(c.text, c.col + shift, c.span) if c.col is not None and shift > 0 else c for c in row])
    return aligned


def _structure_flags(results: dict, problems: dict, template: str | None) -> list[Flag]:
    flags = []
    oversized = _null_oversized(results)
    if oversized:
        flags.append(flag("partial_table", "figures too large for the schema stored as null: " + "; ".join(oversized)))
    for name in TABLES:
        if not results[name]:
            flags.append(flag("missing_table", f"{TABLE_NAMES[name]} not found"))
            continue
        missing = _missing_rows(name, results[name], template)
        detail = "; ".join(problems[name] + missing)
        if detail:
            flags.append(flag("partial_table", detail))
    return flags


def _null_oversized(tables: dict) -> list[str]:
    """Set figures beyond the schema's range (a cell of 20 or 5 000 digits) to null, in place;
    returns where they were, for the flag."""
    found = []
    for name, rows in tables.items():
        for row, columns in rows.items():
            for column, value in columns.items():
                if value is not None and abs(value) > MAX_FIGURE:
                    size = f"{len(str(value))} digits" if isinstance(value, int) else "too many digits to read"
                    found.append(f"{name}.{row}.{column} ({size})")
                    columns[column] = None
    return found


def _resolve_ocr(tables: dict, read) -> tuple[dict, list[Flag]]:
    """Figures read by OCR put back into the tables; what stayed blank is partial_table."""
    tables, blanks = ocr.resolve(tables, read.readings)
    flags = [flag("ocr", f"figures read by OCR from {', '.join(read.sources)}")]
    if blanks:
        flags.append(flag("partial_table", f"{len(blanks)} figure(s) read by OCR too doubtfully to keep, left blank: "
                                           + "; ".join(blanks[:8]) + (" …" if len(blanks) > 8 else "")))
    return tables, flags


def _missing_rows(name: str, parsed: dict, template: str | None) -> list[str]:
    if name != "applications":
        return []
    missing = [r for r in expected_application_rows(template) if r not in parsed]
    return [f"applications: no row {', '.join(missing)}"] if missing else []
