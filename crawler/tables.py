"""Tables 二, 三 and 四 of an annual report, from HTML grids or from flattened text.

Everything is driven by labels: a row is recognised by its label, its values are
the cells that follow it up to the next label. Flattened text gives cells in
reading order (one per line, or between pipes); real grids (HTML, PDF, DOCX) also
give each value cell's column, which is then mapped to a column key through the
header labels above it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from .labels import closest_label
from .schema import (
    ACTIVE_ITEMS,
    ACTIVE_LABELS,
    APPEAL_CELLS,
    APPEAL_KINDS,
    APPEAL_OUTCOMES,
    APPLICANT_COLUMNS,
    APPLICATION_ROW_LABELS,
    APPLICATION_ROWS,
    MEASURES_2019_ONLY,
    MEASURES_2021_ONLY,
    MONEY_MEASURES,
    OTHER_SUBROWS,
    OUTCOME_ROWS,
    ROW_NUMBERS,
)

_ITEM_PATTERNS = [
    ("other_services", r"其他对外管理服务事项|对外管理服务事项"),
    ("normative_documents", r"规范性文件"),
    ("rules", r"^规章$|^规章[\s(（]"),
    ("licensing", r"^行政许可"),
    ("penalty", r"^行政处罚"),
    ("coercion", r"^行政强制"),
    ("fees", r"^行政事业性收费"),
    ("procurement", r"政府集中采购"),
]
_MEASURE_PATTERNS = [
    ("made", r"新制作数量|新制作"),
    ("published", r"新公开数量"),
    ("total_public", r"对外公开总数量"),
    ("issued", r"制发件数"),
    ("repealed", r"废止件数"),
    ("in_force", r"现行有效件数"),
    ("previous", r"上一年项目数量"),
    ("change", r"本年增[/／]?减|增减"),
    ("decisions", r"处理决定数量"),
    ("amount_wan", r"收费金额|采购总金额"),
    ("items", r"采购项目数量"),
]

_GROUP_PATTERNS = [
    ("results", r"本年度办理结果"),
    ("denied", r"^[(（]?[三3]?[)）、.]?\s*不予公开$"),
    ("unavailable", r"^[(（]?[四4]?[)）、.]?\s*无法提供$"),
    ("rejected", r"^[(（]?[五5]?[)）、.]?\s*不予处理$"),
    ("other", r"其他处理"),
]
# A group label printed in the same cell or line as its first row.
_GROUP_IN_ROW = [("denied", r"^[(（]?[三3]?[)）、.]?不予公开"), ("unavailable", r"^[(（]?[四4]?[)）、.]?无法提供"),
                 ("rejected", r"^[(（]?[五5]?[)）、.]?不予处理"), ("other", r"^[(（]?[六6]?[)）、.]?其他处理")]
ROW_PATTERNS = [
    ("new_received", r"本年新收"),
    ("carried_over", r"上年结转"),
    ("carried_forward", r"结转下年度|转下年度"),
    ("partially_granted", r"部分公开"),
    ("granted", r"予以公开"),
    ("denied_state_secret", r"国家秘密"),
    ("denied_prohibited_by_law", r"禁止公开"),
    ("denied_three_safeties", r"三安全一稳定"),
    ("denied_third_party", r"第三方"),
    ("denied_internal_affairs", r"内部事务"),
    ("denied_process_info", r"过程性"),
    ("denied_enforcement_files", r"执法案卷"),
    ("denied_query_matters", r"行政查询"),
    ("unavailable_not_held", r"不掌握"),
    ("unavailable_needs_creation", r"另行制作"),
    ("unavailable_unclear", r"不明确"),
    ("rejected_complaints", r"举报投诉|信访"),
    ("rejected_duplicate", r"重复申请"),
    ("rejected_publications", r"公开出版物"),
    ("rejected_excessive", r"大量反复"),
    ("rejected_confirmation", r"重新出具|确认或"),
    ("other_no_correction", r"不补正"),
    ("other_no_fee", r"缴纳费用|收费通知"),
    ("total_handled", r"^[(（]?七[)）、.]?\s*(总计|合计)"),
]
_APPLICANT_HEADERS = [
    ("natural_person", r"自然人"), ("commercial", r"商业企业"), ("research", r"科研机构"),
    ("nonprofit", r"社会公益组织"), ("legal_services", r"法律服务机构"), ("other_org", r"其他(组织)?"),
    ("total", r"总计|合计"),
]
_APPEAL_KIND_HEADERS = [("suit_direct", r"未经复议"), ("suit_after_review", r"复议后起诉"), ("review", r"^行政复议$")]
_APPEAL_OUTCOME_HEADERS = [
    ("upheld", r"维持"), ("corrected", r"纠正"), ("other", r"其他"), ("pending", r"尚未审结|未审结"), ("total", r"总计|合计"),
]

MERGED = "*merged*"          # a value cell spanning several keyed columns
_EMPTY_VALUES = re.compile(r"^[\s\-—–_/\\:：]*$|^(无|空|/)$")
_NUMBER = re.compile(r"^[+\-]?\d+(\.\d+)?$")
_UNIT = re.compile(r"(件|个|项|条|次|起|宗|万元|元)$")
_MAX_LABEL = 90
_MAX_DIGITS = 60             # room for a whole row glued into one figure


@dataclass
class Cell:
    """One cell of a grid: its text, the grid column it starts in and how many it spans."""
    text: str
    col: int | None = None
    span: int = 1


class Token:
    """One cell in reading order: its text, its parsed value, and its column key when
    the cell's column is known from a grid."""
    __slots__ = ("text", "key", "value")

    def __init__(self, text: str, key: str | None = None):
        self.text = text
        self.key = key
        self.value = parse_value(text)


class _Text:
    """Marker for a token that is neither a number nor an empty cell."""


TEXT = _Text()


def parse_value(text: str):
    """A cell's number; None for an empty cell; TEXT for a label."""
    if text.isascii() and text.isdigit():
        # int() refuses over 4300 digits; a figure that long is noise, and report.py nulls it
        return int(text) if len(text) <= _MAX_DIGITS else float("inf")
    s = text.strip().replace(",", "").replace(" ", "")
    if _EMPTY_VALUES.match(s):
        return None
    s = _UNIT.sub("", s)
    if _NUMBER.match(s):
        number = float(s)      # inf for hundreds of digits, never an error
        return int(number) if number.is_integer() and "." not in s else number
    return TEXT


def _compiled(patterns) -> tuple[tuple[str, re.Pattern], ...]:
    return tuple((key, re.compile(pattern)) for key, pattern in patterns)


def _match(compiled, text: str) -> str | None:
    """The key of the first of `compiled` (see _compiled) that matches anywhere in `text`."""
    for key, pattern in compiled:
        if pattern.search(text):
            return key
    return None


# compiled once: they are tried on every label cell of every table
_ITEMS, _MEASURES = _compiled(_ITEM_PATTERNS), _compiled(_MEASURE_PATTERNS)
_ROWS, _GROUPS, _GROUPS_IN_ROW = _compiled(ROW_PATTERNS), _compiled(_GROUP_PATTERNS), _compiled(_GROUP_IN_ROW)
_APPLICANT_HEADERS_RX = _compiled(_APPLICANT_HEADERS)
_APPEAL_KIND_HEADERS_RX, _APPEAL_OUTCOME_HEADERS_RX = _compiled(_APPEAL_KIND_HEADERS), _compiled(_APPEAL_OUTCOME_HEADERS)
_ITEM_NUMBER = re.compile(r"\d{1,2}")


# ---------------------------------------------------------------- tokens

def text_tokens(section: str) -> list[Token]:
    """Cells of a flattened table, in reading order. Pipes delimit cells when present
    (an empty segment is an empty cell); otherwise each line is a cell."""
    tokens: list[Token] = []
    piped = section.count("|") >= 6
    segments = section.split("|") if piped else section.split("\n")
    for segment in segments:
        lines = [line.strip() for line in segment.split("\n") if line.strip()]
        if not lines:
            if piped:
                tokens.append(Token(""))
            continue
        for line in lines:
            tokens.extend(_split_line(line))
    return tokens


# a short label (no sentence punctuation: prose keeps its numbers) with its figures glued on
_LABEL_THEN_NUMBER = re.compile(r"^([^\s,，。;；:：]{2,45}[\u4e00-\u9fff)）])[:：]?((?:\s*[+\-]?\d[\d,]*(?:\.\d+)?)+)$")


def _split_line(line: str) -> list[Token]:
    """'一、本年新收 46 0 0' → label, 46, 0, 0: numbers split off, words kept together."""
    glued = _LABEL_THEN_NUMBER.match(line)
    if glued:       # "一、本年新收政府信息公开申请数量：46"
        return [Token(glued.group(1)), *_split_line(glued.group(2))]
    parts = line.split()
    if len(parts) == 1:
        return [Token(line)]
    if len(parts) > 1 and _ITEM_NUMBER.fullmatch(parts[0]) and parse_value(parts[1]) is TEXT:
        parts[:2] = [f"{parts[0]}.{parts[1]}"]      # "1 属于国家秘密": the item's number, not a value
    out: list[Token] = []
    words: list[str] = []
    for part in parts:
        if parse_value(part) is TEXT:
            words.append(part)
            continue
        if words:
            out.append(Token(" ".join(words)))
            words = []
        out.append(Token(part))
    if words:
        out.append(Token(" ".join(words)))
    return out


def grid_tokens(rows: list[list[Cell]], section: str) -> list[Token]:
    """Cells of a real grid in reading order, value cells keyed by the header labels above them."""
    token_rows = [[Token(c.text) for c in row] for row in rows]
    first_data = next((i for i, row in enumerate(token_rows) if any(t.value not in (TEXT, None) for t in row)), len(rows))
    columns = _header_columns(rows[:first_data], section)
    expected = {"applications": len(APPLICANT_COLUMNS), "appeals": len(APPEAL_CELLS)}.get(section)
    keyed = expected is not None and len(set(columns.values())) == expected
    tokens = []
    for row, token_row in zip(rows, token_rows):
        last_label = max((i for i, t in enumerate(token_row) if t.value is TEXT), default=-1)
        for i, (cell, token) in enumerate(zip(row, token_row)):
            if token.value is not TEXT:
                if i < last_label:
                    continue        # a number left of the row's label is its item number ("1 | 属于国家秘密")
                if keyed and cell.col is not None:
                    if cell.span == 1:
                        token.key = columns.get(cell.col)
                    else:
                        covered = {columns[c] for c in range(cell.col, cell.col + cell.span) if c in columns}
                        token.key = covered.pop() if len(covered) == 1 else (MERGED if covered else None)
            tokens.append(token)
    return tokens


def _header_columns(header_rows: list[list[Cell]], section: str) -> dict[int, str]:
    labels: dict[int, list[str]] = {}
    for row in header_rows:
        for cell in row:
            if cell.col is None:
                continue
            text = "".join(cell.text.split())      # what re.sub(r"\s+", "", …) gives, cheaper
            for c in range(cell.col, cell.col + cell.span):
                labels.setdefault(c, []).append(text)
    columns = {}
    for col, texts in labels.items():
        if section == "applications":
            # the lowest header that names a column wins ("法人或其他组织" spans several)
            keys = [k for t in texts for k, p in _APPLICANT_HEADERS_RX if p.fullmatch(t)]
            if keys:
                columns[col] = keys[-1]
        elif section == "appeals":
            kind = next((k for t in texts for k, p in _APPEAL_KIND_HEADERS_RX if p.search(t)), None)
            outcome = next((k for t in reversed(texts) for k, p in _APPEAL_OUTCOME_HEADERS_RX if p.search(t)), None)
            if kind and outcome:
                columns[col] = f"{kind}.{outcome}"
    return columns


# ---------------------------------------------------------------- sections

_SECTION_HEADINGS = {
    "active": r"主动公开政府信息(的)?情况",
    "applications": r"收到和处理政府信息公开申请(的)?情况",
    "appeals": r"政府信息公开行政复议[、和及与]?行政诉讼(的)?情况|行政复议[、和及与]行政诉讼情况",
    "end": r"存在的主要问题|主要问题及改进|其他需要报告的事项",
}
# Where a table starts when its heading is missing.
_SECTION_ANCHORS = {
    "active": r"第二十条第",
    "applications": r"申请人情况|本年新收政府信息公开申请",
    "appeals": r"行政复议[\s|]*\n?[\s|]*行政诉讼",
}
_HEADING_PREFIX = r"^[\s|#*]*([一二三四五六七八九十]+|\d+)?\s*[、.．]?\s*"
_NUMBERED_HEADING = r"^[\s|#*]*[一二三四五六七]\s*[、.．]\s*"


_RUN_ON_HEADING = re.compile(rf"\s*([一二三四五六七]\s*[、.．]\s*(?:{'|'.join(_SECTION_HEADINGS.values())})[^\n]{{0,12}}?"
                             rf"(?=第二十条|申请人|行政复议|[(（]本列|$|[一二三四五六七]、|\d))")
# A word every heading of _SECTION_HEADINGS holds: a line without one holds no heading (most lines).
_HEADING_WORD = re.compile(r"主动公开|收到和处理|行政复议|主要问题|其他需要报告")


def _break_run_on_lines(text: str) -> str:
    """A body run together on one line (an archive's text dump): its numbered section headings
    get lines of their own, when the line holds two or more of them."""
    lines = []
    for line in text.split("\n"):
        if _HEADING_WORD.search(line) and len(_RUN_ON_HEADING.findall(line)) >= 2:
            line = _RUN_ON_HEADING.sub(lambda m: f"\n{m.group(1)}\n", line)
        lines.append(line)
    return "\n".join(lines)


def split_sections(text: str) -> dict[str, str]:
    """The text of tables 二, 三, 四 (keys active, applications, appeals), found by headings or anchors."""
    text = _break_run_on_lines(text)
    starts: dict[str, int] = {}
    for name, pattern in _SECTION_HEADINGS.items():
        # "二、主动公开…" first: "1.主动公开政府信息情况" may be a sub-heading of 总体情况
        for prefix in (_NUMBERED_HEADING, _HEADING_PREFIX):
            for m in re.finditer(prefix + f"({pattern})[^\n]{{0,12}}$", text, re.M):
                if name != "end" or m.start() > max(starts.values(), default=0):
                    starts[name] = m.start()
                    break
            if name in starts:
                break
    for name, pattern in _SECTION_ANCHORS.items():
        if name not in starts:
            m = re.search(pattern, text)
            if m:
                starts[name] = text.rfind("\n", 0, m.start()) + 1
    order = sorted(starts.items(), key=lambda kv: kv[1])
    sections = {}
    for i, (name, start) in enumerate(order):
        end = order[i + 1][1] if i + 1 < len(order) else len(text)
        if name != "end":
            sections[name] = text[start:end]
    return sections


def section_of_table(text: str) -> str | None:
    """Which of tables 二, 三, 四 an HTML/PDF table holds, judged by its labels."""
    flat = "".join(text.split())
    if re.search(r"本年新收|予以公开|申请人情况|不予公开|无法提供|不予处理|重复申请|其他处理|结转下年度", flat):
        return "applications"
    if "行政复议" in flat and re.search(r"维持|纠正|行政诉讼", flat):
        return "appeals"
    if re.search(r"第二十条|规章|行政许可|规范性文件", flat):
        return "active"
    return None


_TABLE_STARTS = _compiled([("active", r"第二十条"), ("applications", r"申请人情况|本年新收"), ("appeals", r"行政复议.*行政诉讼")])


def split_grid(rows: list[list[Cell]], kind: str) -> dict[str, list[list[Cell]]]:
    """The rows of a grid by table: all of them for `kind`, unless the grid holds several tables
    (one big <table>), which are split at the row where each one starts."""
    parts: dict[str, list[list[Cell]]] = {}
    current = kind
    for row in rows:
        row_text = "".join("".join(c.text for c in row).split())
        starts = _match(_TABLE_STARTS, row_text)
        if starts and starts not in parts:
            current = starts
        parts.setdefault(current, []).append(row)
    return parts


# ---------------------------------------------------------------- template

def template_signals(active_tokens: list[Token], application_tokens: list[Token]) -> str | None:
    """'2021' or '2019' from the labels the tables use, None if they don't tell."""
    measures = {m for t in active_tokens if len(t.text) < _MAX_LABEL for m in [_match(_MEASURES, t.text)] if m}
    texts = " ".join(t.text for t in active_tokens + application_tokens)
    votes_2021 = len(measures & MEASURES_2021_ONLY) + ("收费金额" in texts) + bool(re.search(r"不补正|缴纳费用", texts))
    votes_2019 = len(measures & MEASURES_2019_ONLY) + ("政府集中采购" in texts) + ("其他对外管理服务事项" in texts)
    if votes_2021 > votes_2019:
        return "2021"
    if votes_2019 > votes_2021:
        return "2019"
    return None


# ---------------------------------------------------------------- table 二

def parse_active(tokens: list[Token], template: str) -> tuple[dict, list[str]]:
    items = ACTIVE_ITEMS[template]
    tokens = _merge_split_labels(tokens, _MEASURES)
    result: dict[str, dict] = {}
    printed_blank: set[str] = set()     # rows of "—": found, their cells blank
    header: list[str] = []
    header_complete = True
    current, slots = None, []

    def finish():
        if current is None or current not in items:
            return
        measures = header if header_complete and len(header) == len(items[current]) else items[current]
        values = _pick_slots(slots, len(measures))
        if values is None and len(slots) == len(measures):
            printed_blank.add(current)
        result[current] = {
            m: (float(v) if m in MONEY_MEASURES and v is not None else v) for m, v in zip(measures, values)
        } if values else {m: None for m in measures}

    for token in tokens:
        value = token.value
        if value is TEXT:
            if len(token.text) > _MAX_LABEL:
                continue
            item = _match(_ITEMS, token.text)
            measure = _match(_MEASURES, token.text)
            if item:
                finish()
                current, slots = item, []
            elif measure:
                if current is not None:   # a new header block starts
                    finish()
                    current, header, header_complete = None, [], True
                if measure not in header:
                    header.append(measure)
            elif re.search(r"第二十条", token.text):
                finish()
                current, header, header_complete = None, [], True
            elif current is None and token.text not in ("信息内容",) and re.search(r"本年|数量|件数|金额", token.text):
                header_complete = False   # a header cell we could not read ("本年新")
        elif current is not None:
            slots.append(value)
    finish()

    problems = [f"active: no row for {ACTIVE_LABELS[item]}" for item in items if item not in result]
    for item, values in result.items():
        if item not in printed_blank and all(v is None for v in values.values()):
            problems.append(f"active: no values for {ACTIVE_LABELS[item]}")
    return result, problems


def _merge_split_labels(tokens: list[Token], compiled) -> list[Token]:
    """'本年新' + '制作数量' → '本年新制作数量' when only the joined text is a label."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if (nxt is not None and token.value is TEXT and nxt.value is TEXT
                and not _match(compiled, token.text) and not _match(compiled, nxt.text)
                and _match(compiled, token.text + nxt.text)):
            out.append(Token(token.text + nxt.text))
            i += 2
            continue
        out.append(token)
        i += 1
    return out


def _pick_slots(slots: list, n: int) -> list | None:
    """n values from the cells after a label: the numbers when exactly n, else the first n cells."""
    numbers = [s for s in slots if s is not None]
    if not numbers:
        return None
    if len(numbers) == n:
        return numbers
    return (slots + [None] * n)[:n]


# ---------------------------------------------------------------- table 三

def application_label(text: str, group: str | None, seen_outcome: bool,
                       after: str | None = None) -> tuple[str, str | None] | None:
    """('row', key) or ('group', name) for a label cell of table 三; None for anything else.
    A label the patterns miss (a typo, other wording) is matched by similarity against the
    template rows that can come after `after`, the last row read."""
    flat = "".join(text.split())
    if len(flat) > _MAX_LABEL:
        return None
    if group == "other" and re.fullmatch(r"[(（]?\d?[)）.、．]?其他", flat):
        return ("row", "other_misc")
    if seen_outcome and re.fullmatch(r"(总计|合计)", flat):
        return ("row", "total_handled")
    row = _match(_ROWS, flat)
    if row:
        return ("row", row)
    group_name = _match(_GROUPS, flat)
    if group_name:
        return ("group", group_name)
    if _FOUR_HAN.search(flat):
        row = closest_label(flat, _rows_after(after))
        if row:
            return ("row", row)
    return None


_FOUR_HAN = re.compile(r"[\u4e00-\u9fff]{4}")


@cache
def _rows_after(after: str | None) -> dict[str, str]:
    """The template rows (key: label) that can come after row `after` (all of them after None)."""
    start = APPLICATION_ROWS.index(after) + 1 if after else 0
    return {key: APPLICATION_ROW_LABELS[key] for key in APPLICATION_ROWS[start:] if key != "other"}


def parse_applications(tokens: list[Token]) -> tuple[dict, list[str]]:
    rows: dict[str, dict] = {}
    problems: list[str] = []
    group, current, slots = None, None, []

    def finish():
        if current is None or not slots or current in rows:
            return
        values = _applicant_values(slots)
        if values is None and _printed_blank(slots):
            values = {c: None for c in APPLICANT_COLUMNS}   # a row of "—": found, its cells blank
        if values is None:
            if any(value is not None for value, _ in slots):
                numbers = [v for v, _ in slots if v is not None]
                problems.append(f"applications: row {current} has {len(numbers)} values, expected 7 or 1")
            return
        rows[current] = values

    for token in tokens:
        value = token.value
        if value is TEXT:
            label = application_label(token.text, group, seen_outcome=any(r in rows for r in OUTCOME_ROWS),
                                       after=current or next(reversed(rows), None))
            if label is None:
                continue
            _drop_item_number(slots, label, token.text)
            finish()
            kind, name = label
            slots = []
            if kind == "group":
                group = name
                # 2019's single 其他处理 row carries its values on the group label itself
                current = "other" if name == "other" else None
            else:
                current = name
                if name in ("total_handled", "carried_forward", "new_received", "carried_over"):
                    group = None
                # "(六)其他处理 1.申请人…逾期不补正" on one line: the group label rides along
                group = _match(_GROUPS_IN_ROW, "".join(token.text.split())) or group
        elif current is not None:
            slots.append((value, token.key))
    finish()

    subrows = [rows[r] for r in OTHER_SUBROWS if r in rows]
    if len(subrows) == len(OTHER_SUBROWS):     # 2021: the schema's "other" is the sum of (六) 1–3
        rows["other"] = {c: _sum_or_none(row.get(c) for row in subrows) for c in APPLICANT_COLUMNS}

    ordered = {key: rows[key] for key in APPLICATION_ROWS if key in rows}
    return ordered, problems


def _drop_item_number(slots: list[tuple], label: tuple, text: str) -> None:
    """'… | 0 | 2 | 其他法律行政法规禁止公开': the 2 is the next item's number, not a value of this row.
    Only when it leaves this row with a count it can have (7 or 1)."""
    number = ROW_NUMBERS.get(label[1]) if label[0] == "row" else None
    if number is None or re.match(r"\s*[(（]?\d", text) or not slots or slots[-1][0] != number or slots[-1][1] is not None:
        return
    if len(slots) == len(APPLICANT_COLUMNS):
        return      # "1 — — — — — 1": a whole row with its blanks, its last 1 no item number
    if sum(1 for v, _ in slots if v is not None) in (len(APPLICANT_COLUMNS) + 1, 2):
        slots.pop()


def _applicant_values(slots: list[tuple]) -> dict | None:
    n = len(APPLICANT_COLUMNS)
    keyed = [(v, k) for v, k in slots if k is not None]
    numbers = [v for v, _ in slots if v is not None]
    if keyed:
        merged = [v for v, k in keyed if k == MERGED and v is not None]
        if merged and len(numbers) == 1:
            return _collapsed(merged[0])
        values = {c: None for c in APPLICANT_COLUMNS}
        for v, k in keyed:
            if k in values and values[k] is None:
                values[k] = v
        return values if any(v is not None for v in values.values()) else None
    if not numbers:
        return None
    if len(numbers) == 1:
        # one figure for the whole row: a merged cell (its colspan may show as empty cells around it)
        return _collapsed(numbers[0])
    if len(numbers) == n:
        return dict(zip(APPLICANT_COLUMNS, numbers))
    if len(slots) >= n and len(numbers) < n:
        return dict(zip(APPLICANT_COLUMNS, [v for v, _ in slots[:n]]))
    if len(numbers) > n:
        return dict(zip(APPLICANT_COLUMNS, numbers[:n]))
    return None


def _printed_blank(slots: list[tuple]) -> bool:
    """Every cell of the row is printed and blank ("—", "/", an empty cell): none was lost."""
    return len(slots) in (len(APPLICANT_COLUMNS), 1) and all(value is None for value, _ in slots)


def _collapsed(value) -> dict:
    """A row printed as one merged cell: the schema keeps it under total."""
    return {c: (value if c == "total" else None) for c in APPLICANT_COLUMNS}


def _sum_or_none(values):
    values = list(values)
    return None if any(v is None for v in values) else sum(values)


# ---------------------------------------------------------------- table 四

def parse_appeals(tokens: list[Token]) -> tuple[dict, list[str]]:
    slots = [(t.value, t.key) for t in tokens if t.value is not TEXT]
    n = len(APPEAL_CELLS)
    keys = APPEAL_CELLS
    by_key = {k: v for v, k in slots if k in keys}
    if len(by_key) == n:
        flat = [by_key[k] for k in keys]
    else:
        numbers = [v for v, _ in slots if v is not None]
        if len(numbers) == n:
            flat = numbers
        elif len(numbers) > n:
            flat = numbers[:n]
        elif len(slots) >= n and numbers:
            # blank cells inside the row: keep their places
            first = next(i for i, (v, _) in enumerate(slots) if v is not None)
            flat = [v for v, _ in slots[first:first + n]]
            flat += [None] * (n - len(flat))
        else:
            return {}, [f"appeals: found {len(numbers)} values, expected {n}"] if numbers else ["appeals: no values"]
    appeals = {}
    for i, kind in enumerate(APPEAL_KINDS):
        appeals[kind] = dict(zip(APPEAL_OUTCOMES, flat[i * 5:(i + 1) * 5]))
    return appeals, []


# ---------------------------------------------------------------- page breaks

def grid_width(rows: list[list[Cell]]) -> int:
    """Columns the grid's cells reach."""
    return max((c.col + c.span for row in rows for c in row if c.col is not None), default=0)


def join_page_grids(upper: list[list[Cell]], lower: list[list[Cell]]) -> list[list[Cell]]:
    """A table that runs over a page break, as one grid: the rows of the next page go under the
    last page's rows, columns aligned on the right (where the figures are); rows that repeat the
    table's header are dropped, and a row the break cut in two is put back together."""
    shift = grid_width(upper) - grid_width(lower)
    lower = [[Cell(c.text, None if c.col is None else c.col + shift, c.span) for c in row] for row in lower]
    first_data = next((i for i, row in enumerate(upper) if any(parse_value(c.text) not in (TEXT, None) for c in row)), len(upper))
    header = [[c.text for c in row] for row in upper[:first_data]]
    while lower and [c.text for c in lower[0]] in header:
        lower = lower[1:]
    last = {c.col: c for c in upper[-1]} if upper else {}
    if first_data < len(upper) and lower and (not _label_start(lower[0]) and not any(
            c.text.strip() and last.get(c.col) and last[c.col].text.strip() and parse_value(c.text) is not TEXT
            for c in lower[0]) or _label_cut(upper[-1], lower[0])):
        # the first row on the new page has no label of its own and fills the last row's blanks,
        # or goes on with the last row's label: the rest of the row the break cut
        merged = list(upper[-1])
        for cell in lower[0]:
            if cell.col in last:
                last[cell.col].text = (last[cell.col].text + cell.text).strip()
            else:
                merged.append(cell)
        return upper[:-1] + [sorted(merged, key=lambda c: c.col or 0)] + lower[1:]
    return upper + lower


# How a row of the template opens its label: 一、 (一) 1. 1．
_ROW_NUMBER = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[(（]\s*[一二三四五六七八九十\d]+\s*[)）]|\d+\s*[.．、])")


def _label_cut(upper_last: list[Cell], lower_first: list[Cell]) -> bool:
    """Whether the break cut a row's label in two ("1.属于国" | "家秘密"): the new page's first row
    starts with the rest of a label (no item number of its own), the figures are on one side of
    the break only, and the two rows' label cells sit in the same columns."""
    def label_columns(row):
        return {c.col for c in row if c.text.strip() and parse_value(c.text) is TEXT}

    def has_figures(row):
        return any(parse_value(c.text) not in (TEXT, None) for c in row)

    lower_labels = [c.text for c in lower_first if c.text.strip() and parse_value(c.text) is TEXT]
    return bool(lower_labels) and not _ROW_NUMBER.match(lower_labels[0]) \
        and has_figures(upper_last) != has_figures(lower_first) \
        and label_columns(lower_first) <= label_columns(upper_last)


def _label_start(row: list[Cell]) -> bool:
    """Whether a row starts with a label (a row of its own), rather than with blank or figure cells."""
    texts = [c.text for c in row if c.text.strip()]
    return bool(texts) and parse_value(texts[0]) is TEXT
