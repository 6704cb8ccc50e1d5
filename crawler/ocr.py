"""OCR of scanned report pages and pictures of tables, into the grids the table parser reads.

A page image is straightened (the scan's skew found from its text rows), cleared of coloured
seals and speckle, and its tables are found from their ruling lines (OpenCV morphology): the
lines give rows, columns and merged cells, so every cell keeps its place. Cells are read by
Tesseract (Debian's tesseract-ocr + tesseract-ocr-chi-sim) in two independent passes: Chinese
for every cell, digits only for the cells that hold a figure. A figure counts only when both
passes agree with good confidence; otherwise it is doubtful. Label cells are snapped to the
template's printed labels (crawler.schema) when they are close enough.

The grids carry, in place of each figure, a unique placeholder number, so the table parser
(crawler.tables) handles them exactly as any grid, and `resolve` then puts the readings back
into the parsed tables: doubtful figures stay null unless exactly one of their readings makes
the template's arithmetic hold, and figures in a failing sum that were not read with high
confidence are blanked too. No wrong number from OCR: a blank is flagged partial_table.
"""
from __future__ import annotations

import difflib
import functools
import io
import itertools
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field

from .schema import (
    ACTIVE_ITEMS_BY_TEMPLATE,
    APPEAL_KIND_LABELS,
    APPEAL_OUTCOME_LABELS,
    APPEAL_PARTS,
    APPLICANT_COLUMNS,
    APPLICANT_LABELS,
    APPLICANT_PARTS,
    APPLICATION_ROW_LABELS,
    BALANCE_ROWS,
    GROUP_LABELS,
    MEASURE_LABELS,
    OTHER_SUBROWS,
    OUTCOME_ROWS,
    TABLE_LABELS,
)
from .tables import Cell, join_page_grids

# A figure is replaced in the grid by PLACEHOLDER + n until `resolve` puts its reading back.
PLACEHOLDER = 900_000_000
_placeholders = itertools.count(PLACEHOLDER)

CONFIDENT = 60      # Tesseract word confidence a figure needs in both passes
CERTAIN = 90        # a figure in a failing sum is kept only above this
_TARGET_WIDTH = 2400   # pixels: small web images are enlarged to about 300 dpi before reading
_SMALLEST = 40          # pixels: a picture smaller than this each way holds no table
_PAGE_NUMBER_CHARS = 6   # marks above or below a table that are no more than a page number ("- 2 -")

# Printed labels a table cell may hold, for snapping OCR'd labels back to the template's words.
_GRID_LABELS = ("信息内容", "申请人情况", "法人或其他组织", "三、本年度办理结果", "行政复议", "行政诉讼", "(六)其他处理",
                "(三)不予公开", "(四)无法提供", "(五)不予处理", "(七)总计", "采购总金额(单位:万元)")
KNOWN_LABELS = tuple(dict.fromkeys([
    *_GRID_LABELS, *TABLE_LABELS.values(), *GROUP_LABELS.values(), *APPLICATION_ROW_LABELS.values(),
    *APPLICANT_LABELS.values(), *APPEAL_KIND_LABELS.values(), *APPEAL_OUTCOME_LABELS.values(),
    *(label for labels in MEASURE_LABELS.values() for label in labels.values()),
    *(label for items in ACTIVE_ITEMS_BY_TEMPLATE.values() for item in items for label in (item.label, item.article)),
]))
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_EMPTY = re.compile(r"^[\-—–_/\\一]+$")
# Tesseract's usual confusions inside a figure printed in a Chinese table.
_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "〇": "0", "D": "0", "Q": "0", "l": "1", "I": "1", "|": "1",
                                   "丨": "1", "S": "5", "B": "8", "Z": "2", "，": "", ",": "", "。": ".", "—": "-", "一": "-"})
_CJK_SPACE = re.compile(r"(?<=[\u3000-\u9fff（）()、，。：“”])\s+|\s+(?=[\u3000-\u9fff（）()、，。：“”])")


class OcrUnavailable(Exception):
    """Tesseract or its Chinese model is not installed."""


@dataclass
class Reading:
    """One figure as OCR read it: `value` when both passes agree confidently, else None with
    what each pass saw in `candidates`."""
    value: int | float | None
    candidates: tuple = ()
    confidence: float = 0.0
    where: str = ""


@dataclass
class OcrText:
    """What OCR made of some pages or images: their text, table grids and the figures' readings."""
    text: str = ""
    grids: list = field(default_factory=list)
    readings: dict[int, Reading] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    seconds: float = 0.0
    opens_page: bool = False     # the first table starts the page: it may continue the last page's
    closes_page: bool = False    # the last table ends the page: it may go on on the next

    def add(self, other: OcrText) -> None:
        self.text = "\n".join(t for t in (self.text, other.text) if t)
        self.grids += other.grids
        self.readings.update(other.readings)
        self.sources += other.sources
        self.seconds += other.seconds


# ------------------------------------------------------------------ engine

@functools.lru_cache(maxsize=1)
def unavailable_reason() -> str | None:
    """None when Tesseract with its Simplified Chinese model can run here, else why not."""
    if not shutil.which("tesseract"):
        return "OCR needs tesseract (Debian tesseract-ocr and tesseract-ocr-chi-sim; `make system-deps` installs them)"
    try:
        langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        return f"tesseract does not run: {exc}"
    if "chi_sim" not in langs.split():
        return "tesseract has no Simplified Chinese model (Debian tesseract-ocr-chi-sim)"
    return None


def _tesseract(image, lang: str, psm: int, *config: str, tsv: bool = True) -> str:
    import cv2
    ok, png = cv2.imencode(".png", image)
    # one thread per call: parse workers already run side by side
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    # no search for white-on-black text: it doubles the time and tables are printed black on white
    args = ["tesseract", "stdin", "stdout", "-l", lang, "--psm", str(psm), "--dpi", "300", "-c", "tessedit_do_invert=0"]
    for option in config:
        args += ["-c", option]
    done = subprocess.run(args + (["tsv"] if tsv else []), input=png.tobytes(), capture_output=True, timeout=300, env=env)
    if done.returncode:
        raise OcrUnavailable(f"tesseract failed: {done.stderr.decode('utf-8', 'replace')[-300:]}")
    return done.stdout.decode("utf-8", "replace")


def _words(tsv: str) -> list[dict]:
    words = []
    for line in tsv.splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) == 12 and parts[0] == "5" and parts[11].strip():
            left, top, width, height = map(int, parts[6:10])
            words.append({"line": tuple(map(int, parts[2:5])), "left": left, "top": top, "bottom": top + height,
                          "conf": float(parts[10]), "text": parts[11].strip()})
    return words


# ------------------------------------------------------------------ images

def decode_image(data: bytes):
    """Grayscale pixels of a PNG/JPEG/GIF/BMP/TIFF/WebP; coloured ink (red seals) turns white."""
    import cv2
    import numpy as np
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None:          # GIF and other formats OpenCV does not decode
        from PIL import Image
        try:
            image = np.array(Image.open(io.BytesIO(data)).convert("RGB"))[:, :, ::-1]
        except Exception as exc:   # Pillow raises many types on a broken file
            raise ValueError(f"not a readable image: {exc.__class__.__name__}") from exc
    # the brightest channel: black ink stays black, a red or blue seal becomes paper
    return image.max(axis=2)


def _prepare(gray):
    """Enlarged, straightened grayscale and its clean binary (ink = 255)."""
    import cv2
    scale = min(3.0, max(1.0, _TARGET_WIDTH / gray.shape[1]))
    if scale > 1.05:
        gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    gray = _deskew(gray)
    smooth = cv2.medianBlur(gray, 3)
    _, binary = cv2.threshold(smooth, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return gray, _despeckle(binary)


def _deskew(gray):
    """Rotate so text rows and ruling lines are level: the angle (within ±3°) whose row profile is sharpest."""
    import cv2
    import numpy as np
    small_scale = 800 / gray.shape[1]
    small = cv2.resize(gray, None, fx=small_scale, fy=small_scale, interpolation=cv2.INTER_AREA)
    _, ink = cv2.threshold(small, 0, 1, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    ink = ink.astype(np.float32)
    h, w = ink.shape
    centre = (w / 2, h / 2)

    def sharpness(angle):
        rotated = cv2.warpAffine(ink, cv2.getRotationMatrix2D(centre, angle, 1.0), (w, h), flags=cv2.INTER_NEAREST)
        profile = rotated.sum(axis=1)
        return float(np.square(np.diff(profile)).sum())

    best = max(np.arange(-3, 3.01, 0.2), key=sharpness)
    best = max(np.arange(best - 0.2, best + 0.21, 0.05), key=sharpness)
    if abs(best) < 0.05:
        return gray
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), float(best), 1.0)
    return cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_CUBIC, borderValue=255)


def _despeckle(binary):
    """Drop isolated specks far smaller than a stroke (a decimal point is kept: it sits beside digits)."""
    import cv2
    import numpy as np
    count, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    areas = stats[:, cv2.CC_STAT_AREA]
    tiny = areas < max(12, binary.shape[1] // 80)
    tiny[0] = False
    if not tiny.any():
        return binary
    # a tiny blob with other ink close by (a dot in "1.5", "1." of an item) is kept
    near = cv2.dilate((~np.isin(labels, np.flatnonzero(tiny)) & (binary > 0)).astype(np.uint8), np.ones((25, 25), np.uint8))
    lonely = [i for i in np.flatnonzero(tiny) if not near[stats[i, 1]:stats[i, 1] + stats[i, 3], stats[i, 0]:stats[i, 0] + stats[i, 2]].any()]
    cleaned = binary.copy()
    cleaned[np.isin(labels, lonely)] = 0
    return cleaned


# ------------------------------------------------------------------ table grids

@dataclass
class _Box:
    row: int
    col: int
    span: int
    top: int
    bottom: int
    left: int
    right: int


def _line_masks(binary, row_height: int | None = None):
    """Ruling lines: horizontal runs far wider than a character, vertical runs taller than one
    (most of a row's height, as measured between the horizontal lines)."""
    import cv2
    import numpy as np
    h, w = binary.shape
    horizontal = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(40, w // 30), 1)))
    if row_height is None:
        ys = _positions((horizontal > 0).sum(axis=1), max(40, w // 30))
        gaps = [b - a for a, b in zip(ys, ys[1:]) if b - a > 12]
        row_height = int(np.median(gaps)) if gaps else 40
    tall = max(15, int(row_height * 0.75))
    vertical = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, tall)))
    # bridge the small breaks blur and speckle leave in a ruling line
    horizontal = cv2.dilate(horizontal, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 3)))
    vertical = cv2.dilate(vertical, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 9)))
    return horizontal, vertical


def _positions(profile, minimum: int) -> list[int]:
    """Centres of the runs where `profile` reaches `minimum`."""
    out, start = [], None
    for i, value in enumerate(list(profile) + [0]):
        if value >= minimum and start is None:
            start = i
        elif value < minimum and start is not None:
            out.append((start + i - 1) // 2)
            start = None
    return out


def find_tables(horizontal, vertical) -> list[tuple[list[_Box], tuple[int, int, int, int]]]:
    """Each ruled table on the image: its cells (rows and columns from the ruling lines, merged
    cells where a line is missing) and its bounding box (x, y, w, h)."""
    import cv2
    lines = cv2.bitwise_or(horizontal, vertical)
    count, _, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    tables = []
    for index in range(1, count):
        x, y, w, h = stats[index, :4]
        if w < 150 or h < 40:
            continue
        hz, vt = horizontal[y:y + h, x:x + w] > 0, vertical[y:y + h, x:x + w] > 0
        ys = _positions(hz.sum(axis=1), 40)
        xs = _positions(vt.sum(axis=0), 20)
        if len(ys) < 2 or len(xs) < 2:
            continue
        boxes = _cells(hz, vt, ys, xs)
        if boxes:
            tables.append(([_Box(b.row, b.col, b.span, b.top + y, b.bottom + y, b.left + x, b.right + x) for b in boxes],
                           (int(x), int(y), int(w), int(h))))
    tables.sort(key=lambda t: t[1][1])
    return tables


def _cells(hz, vt, ys: list[int], xs: list[int]) -> list[_Box]:
    """Atomic cells between neighbouring lines, joined where the line between them is missing."""
    rows, cols = len(ys) - 1, len(xs) - 1
    parent = list(range(rows * cols))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def present(mask, fixed, lo, hi, axis):
        lo, hi = lo + (hi - lo) // 5, hi - (hi - lo) // 5     # the middle of the border, away from crossings
        if hi <= lo:
            return True
        band = mask[lo:hi, max(0, fixed - 4):fixed + 5] if axis == "v" else mask[max(0, fixed - 4):fixed + 5, lo:hi]
        return (band.any(axis=1 if axis == "v" else 0)).mean() > 0.6

    for r in range(rows):
        for c in range(cols):
            if c + 1 < cols and not present(vt, xs[c + 1], ys[r], ys[r + 1], "v"):
                parent[find(r * cols + c + 1)] = find(r * cols + c)
            if r + 1 < rows and not present(hz, ys[r + 1], xs[c], xs[c + 1], "h"):
                parent[find((r + 1) * cols + c)] = find(r * cols + c)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(rows):
        for c in range(cols):
            groups.setdefault(find(r * cols + c), []).append((r, c))
    boxes = []
    for members in groups.values():
        r0, r1 = min(r for r, _ in members), max(r for r, _ in members)
        c0, c1 = min(c for _, c in members), max(c for _, c in members)
        if len(members) != (r1 - r0 + 1) * (c1 - c0 + 1):
            continue        # not a rectangle: a broken line, not a merged cell
        boxes.append(_Box(r0, c0, c1 - c0 + 1, ys[r0], ys[r1 + 1], xs[c0], xs[c1 + 1]))
    return sorted(boxes, key=lambda b: (b.row, b.col))


# ------------------------------------------------------------------ reading cells

def _crop(binary, box: _Box):
    """The ink inside a cell, away from its borders, with a white margin; None when blank."""
    import cv2
    import numpy as np
    pad = 6
    inner = binary[box.top + pad:box.bottom - pad, box.left + pad:box.right - pad]
    if inner.size == 0:
        return None
    # leftovers of ruling lines along the edges are not ink
    inner = inner.copy()
    points = cv2.findNonZero(inner)
    if points is None or len(points) < 12:
        return None
    x, y, w, h = cv2.boundingRect(points)
    if w * h < 40:
        return None
    ink = inner[y:y + h, x:x + w]
    return cv2.copyMakeBorder(255 - ink, 14, 14, 14, 14, cv2.BORDER_CONSTANT, value=255).astype(np.uint8)


def _read_stacked(crops: list, lang: str, *config: str) -> list[tuple[str, float]]:
    """Read many small images in one Tesseract call: stacked with gaps, one block per crop."""
    import numpy as np
    results: list[tuple[str, float]] = [("", 0.0)] * len(crops)
    batch: list[int] = []
    height = 0

    def flush():
        if not batch:
            return
        width = max(crops[i].shape[1] for i in batch) + 20
        sheet = np.full((sum(crops[i].shape[0] + 24 for i in batch) + 24, width), 255, np.uint8)
        spans, y = [], 24
        for i in batch:
            h, w = crops[i].shape
            sheet[y:y + h, 10:10 + w] = crops[i]
            spans.append((i, y, y + h))
            y += h + 24
        words = _words(_tesseract(sheet, lang, 6, *config))
        for i, top, bottom in spans:
            mine = [wd for wd in words if top <= (wd["top"] + wd["bottom"]) / 2 <= bottom]
            mine.sort(key=lambda wd: (wd["line"], wd["left"]))
            text = _CJK_SPACE.sub("", " ".join(wd["text"] for wd in mine))
            results[i] = (text, min((wd["conf"] for wd in mine), default=0.0))

    for i, crop in enumerate(crops):
        if height + crop.shape[0] > 6000:
            flush()
            batch, height = [], 0
        batch.append(i)
        height += crop.shape[0] + 24
    flush()
    return results


def _as_number(text: str) -> str | None:
    words = text.split()
    if len(words) > 1:      # a speck read as a word of its own (". 3", "0 -")
        words = [w for w in words if not re.fullmatch(r"[.:·,'`\-_]+", w)]
    flat = "".join(words).translate(_DIGIT_LOOKALIKES).strip(".:·'`")
    if _NUMBER.match(flat) and re.search(r"\d", text):
        return flat
    return None


def snap_label(text: str) -> str:
    """The template label an OCR'd label cell most resembles, when it is close; else the text."""
    flat = re.sub(r"[\s\"“”'‘’]", "", text).replace("（", "(").replace("）", ")").replace("，", ",").replace("：", ":")
    if not flat or len(flat) > 60:
        return text
    best, best_ratio = None, 0.0
    for label in KNOWN_LABELS:
        plain = label.replace("“", "").replace("”", "")
        ratio = difflib.SequenceMatcher(None, flat, plain, autojunk=False).ratio()
        if ratio > best_ratio:
            best, best_ratio = label, ratio
    needed = 0.9 if len(flat) <= 3 else 0.75 if len(flat) == 4 else 0.6
    if best and best_ratio >= needed:
        return best
    if len(flat) in (2, 3):
        # one character misread in a short label ("规音"): only when a single label fits that way
        near = [label for label in KNOWN_LABELS if len(label) == len(flat) and sum(a != b for a, b in zip(label, flat)) == 1]
        if len(near) == 1:
            return near[0]
    return text


def _read_cells(binary, boxes: list[_Box], where: str, readings: dict[int, Reading]) -> list[list[Cell]]:
    crops = [_crop(binary, box) for box in boxes]
    present = [i for i, crop in enumerate(crops) if crop is not None]
    chinese = dict(zip(present, _read_stacked([crops[i] for i in present], "chi_sim")))
    figures = [i for i in present if _as_number(chinese[i][0]) is not None
               or (crops[i].shape[1] < crops[i].shape[0] * 4 and not re.search(r"[\u4e00-\u9fff]{2}", chinese[i][0]))]
    # the second, independent reading: at another size, and allowed nothing but a figure's characters
    second = _reread(crops, figures, _second_scale, _FIGURE_ONLY)
    votes = {i: [chinese[i], second[i]] for i in figures}
    # a third reading, at the first size, settles the figures the first two disagree on
    undecided = [i for i in figures if _agreed(votes[i]) is None and not _is_label(chinese[i])]
    for i, reading in _reread(crops, undecided, lambda crop: 1.0, _FIGURE_ONLY).items():
        votes[i].append(reading)
    # a label that matches no template label is read once more, larger
    labels = [i for i in present if i not in votes and len(chinese[i][0]) <= 16 and snap_label(chinese[i][0]) == chinese[i][0]]
    relabelled = _reread(crops, labels, lambda crop: 1.5)
    rows: dict[int, list[Cell]] = {}
    for i, box in enumerate(boxes):
        text = ""
        if i in votes:
            text = _figure(votes[i], f"{where} row {box.row + 1} column {box.col + 1}", readings)
        elif i in chinese and not _EMPTY.match(chinese[i][0].replace(" ", "")):
            text = snap_label(chinese[i][0])
            if i in relabelled and text == chinese[i][0] and snap_label(relabelled[i][0]) != relabelled[i][0]:
                text = snap_label(relabelled[i][0])
        rows.setdefault(box.row, []).append(Cell(text, box.col, box.span))
    return [rows[r] for r in sorted(rows)]


_FIGURE_ONLY = ("tessedit_char_whitelist=0123456789.-",)


def _reread(crops: list, indices: list[int], scale_of, config=()) -> dict[int, tuple[str, float]]:
    import cv2
    resized = []
    for i in indices:
        scale = scale_of(crops[i])
        resized.append(crops[i] if scale == 1.0 else cv2.resize(
            crops[i], None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR))
    return dict(zip(indices, _read_stacked(resized, "chi_sim", *config))) if indices else {}


def _second_scale(crop) -> float:
    """Small figures are read again enlarged, large ones reduced: a different size, a different mistake."""
    return 1.5 if crop.shape[0] - 28 < 36 else 0.7


def _is_label(reading: tuple[str, float]) -> bool:
    text, confidence = reading
    return _as_number(text) is None and bool(re.search(r"[\u4e00-\u9fff]", text)) and confidence >= CONFIDENT


def _agreed(votes: list[tuple[str, float]]) -> str | None:
    """The figure at least two readings give, confidently enough, with no confident reading against it."""
    numbers = [(_as_number(text), confidence) for text, confidence in votes]
    for number in dict.fromkeys(n for n, _ in numbers if n is not None):
        support = [c for n, c in numbers if n == number]
        against = [c for n, c in numbers if n is not None and n != number]
        if len(support) >= 2 and (max(support) >= 80 or sum(support) / len(support) >= 50) and min(support) >= 10 \
                and not any(c >= 80 for c in against):
            return number
    return None


def _figure(votes: list[tuple[str, float]], where: str, readings: dict[int, Reading]) -> str:
    """The cell text for the grid: a placeholder standing for the figure (agreed or doubtful),
    or the text itself when the cell is not a figure after all."""
    chi_text = votes[0][0]
    if _is_label(votes[0]):
        return snap_label(chi_text)       # a short label such as 其他, not a figure
    numbers = [_as_number(text) for text, _ in votes]
    if all(n is None for n in numbers) and (not chi_text or _EMPTY.match(chi_text.replace(" ", ""))):
        return ""                         # a blank cell, or one printed as "-" or "/"
    placeholder = next(_placeholders)
    candidates = tuple(dict.fromkeys(_value(n) for n in numbers if n is not None))
    agreed = _agreed(votes)
    confidence = max((c for (t, c), n in zip(votes, numbers) if n is not None and n == agreed), default=0.0)
    readings[placeholder] = Reading(_value(agreed) if agreed is not None else None, candidates,
                                    confidence if agreed is not None else min(c for _, c in votes), where)
    return str(placeholder)


def _value(number: str) -> int | float:
    return float(number) if "." in number else int(number)


# ------------------------------------------------------------------ pages

def read_image(data: bytes, where: str) -> OcrText:
    """One page or picture (PNG, JPEG, GIF, BMP, TIFF, WebP bytes)."""
    return read_pixels(decode_image(data), where)


def read_pixels(gray, where: str) -> OcrText:
    """One page or picture as grayscale pixels: its prose (outside the tables) and its tables as grids."""
    import cv2
    import numpy as np
    reason = unavailable_reason()
    if reason:
        raise OcrUnavailable(reason)
    started = time.perf_counter()
    result = OcrText(sources=[where])
    if min(gray.shape[:2]) < _SMALLEST:
        return result       # an icon or a spacer: nothing to read
    gray, binary = _prepare(gray)
    horizontal, vertical = _line_masks(binary)
    lines = cv2.dilate(cv2.bitwise_or(horizontal, vertical), np.ones((5, 5), np.uint8))
    ink = cv2.bitwise_and(binary, cv2.bitwise_not(lines))
    prose_ink = ink.copy()
    tables = find_tables(horizontal, vertical)
    for boxes, (x, y, w, h) in tables:
        result.grids.append(_read_cells(ink, boxes, where, result.readings))
        prose_ink[max(0, y - 4):y + h + 4, max(0, x - 4):x + w + 4] = 0
    if tables:
        # a table that starts or ends the page may run over the page break (a page number is not text)
        first_top, (_, last_y, _, last_h) = tables[0][1][1], tables[-1][1]
        # (the glyphs of a row the break cut, just past the last line, belong to the table)
        result.opens_page = _characters(prose_ink[:max(0, first_top - 30)]) <= _PAGE_NUMBER_CHARS
        result.closes_page = _characters(prose_ink[last_y + last_h + 30:]) <= _PAGE_NUMBER_CHARS
    if cv2.countNonZero(prose_ink) > 200:
        result.text = _prose(255 - prose_ink)
    result.seconds = time.perf_counter() - started
    return result


def _characters(ink) -> int:
    """How many character-sized marks a region holds (specks and line ends are not counted)."""
    import cv2
    if ink.size == 0:
        return 0
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    return int(((stats[1:, cv2.CC_STAT_HEIGHT] >= 12) & (stats[1:, cv2.CC_STAT_AREA] >= 40)).sum())


def _prose(image) -> str:
    import cv2
    if image.shape[1] > 1800:       # print at about 300 dpi reads as well, and faster, a little smaller
        image = cv2.resize(image, None, fx=0.6, fy=0.6, interpolation=cv2.INTER_AREA)
    text = _tesseract(image, "chi_sim", 4, tsv=False)
    lines = [_CJK_SPACE.sub("", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def read_images(images: list[tuple[str, bytes]]) -> OcrText:
    """Several pages or pictures, in order."""
    return join_pages([read_image(data, where) for where, data in images])


def join_pages(pages: list[OcrText]) -> OcrText:
    """The pages' texts and grids in order, a table that runs over a page break made one."""
    result = OcrText()
    for page in pages:
        if result.grids and page.grids and result.closes_page and page.opens_page:
            result.grids[-1] = join_page_grids(result.grids[-1], page.grids[0])
            page = OcrText(page.text, page.grids[1:], page.readings, page.sources, page.seconds,
                           page.opens_page, page.closes_page)
        closes = page.closes_page if page.grids else result.closes_page and not page.text
        result.add(page)
        result.closes_page = closes
    return result


# ------------------------------------------------------------------ readings back into the tables

def resolve(tables: dict, readings: dict[int, Reading]) -> tuple[dict, list[str]]:
    """The parsed tables with each placeholder replaced by its reading. Doubtful figures stay
    None unless exactly one of their readings makes every sum they are part of hold; figures in
    a sum that fails are blanked unless read with high confidence. Returns the tables and a
    description of every figure left blank."""
    cells: dict[tuple, Reading | None] = {}
    values: dict[tuple, object] = {}
    for table, rows in tables.items():
        for row, columns in (rows or {}).items():
            if table == "applications" and row == "other" and all(r in rows for r in OTHER_SUBROWS):
                continue        # the sum of its sub-rows, recomputed below
            for column, value in columns.items():
                key = (table, row, column)
                reading = _reading_of(value, readings)
                cells[key] = reading
                values[key] = reading.value if reading else (None if _is_placeholder(value) else value)
    checks = list(_sums(tables))
    _settle_doubtful(checks, cells, values)
    blanks = {key: reading for key, reading in cells.items() if reading is not None and values.get(key) is None}
    for check in checks:
        if _holds(check, values) is False:
            for key in check[0] + check[1]:
                reading = cells.get(key)
                if reading is not None and values.get(key) is not None and reading.confidence < CERTAIN:
                    values[key] = None
                    blanks[key] = reading
    out = {table: {row: {column: values.get((table, row, column)) for column in columns} for row, columns in rows.items()}
           for table, rows in tables.items()}
    _recompute_other(out.get("applications") or {})
    notes = [f"{'.'.join(key)} ({reading.where}: read {'/'.join(map(str, reading.candidates)) or 'nothing'})"
             if reading else '.'.join(key) for key, reading in blanks.items()]
    return out, notes


def _settle_doubtful(checks: list, cells: dict, values: dict) -> None:
    """Give doubtful figures the reading that makes a sum hold, when exactly one combination of
    their readings does and every other figure of that sum is known; repeat while that helps."""
    changed = True
    while changed:
        changed = False
        for check in checks:
            keys = check[0] + check[1]
            unknown = [k for k in keys if values.get(k) is None]
            readings = [cells.get(k) for k in unknown]
            if not unknown or any(r is None or not r.candidates for r in readings):
                continue
            combos = list(itertools.islice(itertools.product(*(r.candidates for r in readings)), 256))
            fitting = [combo for combo in combos if _holds(check, {**values, **dict(zip(unknown, combo))})]
            if len(fitting) == 1:
                values.update(zip(unknown, fitting[0]))
                changed = True


def _is_placeholder(value) -> bool:
    return isinstance(value, (int, float)) and value >= PLACEHOLDER


def _reading_of(value, readings: dict[int, Reading]) -> Reading | None:
    if not _is_placeholder(value):
        return None
    return readings.get(int(value), Reading(None, (), 0.0, "unknown cell"))


def _sums(tables: dict):
    """The template's arithmetic as (left keys, right keys): sum(left) == sum(right)."""
    apps = tables.get("applications") or {}
    for row in apps:
        if row == "other" and all(r in apps for r in OTHER_SUBROWS):
            continue        # computed from its sub-rows
        yield ([("applications", row, c) for c in APPLICANT_PARTS], [("applications", row, "total")])
    if all(r in apps for r in BALANCE_ROWS):
        new, carried, handled, forward = BALANCE_ROWS
        for c in APPLICANT_COLUMNS:
            yield ([("applications", new, c), ("applications", carried, c)],
                   [("applications", handled, c), ("applications", forward, c)])
    outcome_rows = [r for r in OUTCOME_ROWS if r != "other" or not all(s in apps for s in OTHER_SUBROWS)]
    outcome_rows += [r for r in OTHER_SUBROWS if r in apps and "other" not in outcome_rows]
    if "total_handled" in apps and all(r in apps for r in outcome_rows):
        for c in APPLICANT_COLUMNS:
            yield ([("applications", r, c) for r in outcome_rows], [("applications", "total_handled", c)])
    for kind in (tables.get("appeals") or {}):
        yield ([("appeals", kind, o) for o in APPEAL_PARTS], [("appeals", kind, "total")])


def _holds(check, values) -> bool | None:
    left, right = ([values.get(k) for k in side] for side in check)
    if None in left or None in right:
        return None
    return abs(sum(left) - sum(right)) < 1e-6


def _recompute_other(apps: dict) -> None:
    if all(r in apps for r in OTHER_SUBROWS) and "other" in apps:
        subrows = [apps[r] for r in OTHER_SUBROWS]
        apps["other"] = {c: (None if any(r.get(c) is None for r in subrows) else sum(r[c] for r in subrows))
                         for c in APPLICANT_COLUMNS}


# ------------------------------------------------------------------ which pictures of a page to read

# Pictures that are page furniture, never a report's table.
_FURNITURE = re.compile(r"logo|icon|banner|qrcode|ewm|erweima|share|print|close|arrow|btn|button|bg[_.]|spacer|blank|"
                        r"jiucuo|conac|gongan|police|wza|search|weibo|weixin|wechat|dzjg|favicon", re.I)
# Containers CMSs put the article in (TRS, Hanweb, 集约化平台).
_ARTICLE = re.compile(r"zoom|article|content|trs_editor|detail|main|text|wzy|nr|con|zw", re.I)
_TABLE_TEXT = ("本年新收", "第二十条")
MAX_TABLE_IMAGES = 12


def tables_in_text(text: str) -> bool:
    """Whether a page prints its tables as text (then its pictures are not read)."""
    return all(marker in text for marker in _TABLE_TEXT)


def table_image_urls(html: str, base_url: str) -> list[str]:
    """The pictures in a report page's article that may be its tables, in page order."""
    from urllib.parse import urljoin

    from .extract import parse_html
    tree = parse_html(html)
    if tree is None:
        return []
    images = [img for img in tree.iter("img") if (img.get("src") or "").strip()]
    in_article = [img for img in images if any(_ARTICLE.search(" ".join((a.get("id") or "", a.get("class") or "")))
                                               for a in img.iterancestors())]
    urls = []
    for img in in_article or images:
        src = img.get("src").strip()
        if src.startswith("data:") or src.lower().split("?")[0].endswith((".svg", ".ico")) or _FURNITURE.search(src):
            continue
        if any(a.tag in ("header", "footer", "nav") for a in img.iterancestors()):
            continue
        url = urljoin(base_url, src)
        if url not in urls:
            urls.append(url)
    return urls[:MAX_TABLE_IMAGES]
