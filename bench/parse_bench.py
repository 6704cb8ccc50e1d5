"""Full parse vs. trafilatura extraction alone, over the same HTML pages, in one run.

Prints reports/second for both and the ratio (target: full parse costs at most 1.5x
extraction alone). Ratios, not absolute figures, are comparable across noisy machines.
Then OCR's cost: scanned pages and table pictures (the demo's) read per second, and what one
costs against parsing one text report page in the same run.
"""
from __future__ import annotations

import platform
import sys
import time
import tracemalloc
from pathlib import Path

import trafilatura

from crawler.decode import decode_bytes
from crawler.report import NotAReport, parse_report

ROOT = Path(__file__).resolve().parents[1]


def inputs() -> list[bytes]:
    pages = sorted((ROOT / "tests" / "fixtures" / "html").glob("*.html"))
    pages += sorted((ROOT / "demo" / "sites").rglob("*.htm*"))
    bodies = [p.read_bytes() for p in pages]
    return [b for b in bodies if _is_report(b)]


def _is_report(body: bytes) -> bool:
    try:
        parse_report(body)
        return True
    except (NotAReport, ValueError):
        return False


def extraction_only(body: bytes) -> None:
    # the baseline does what any trafilatura user must: decode, then extract with tables
    trafilatura.extract(decode_bytes(body).text, include_tables=True, favor_recall=True, output_format="txt")


def timed(func, bodies, rounds) -> float:
    """Reports per CPU second: CPU time, so that other work on a shared machine does not count."""
    start = time.process_time()
    for _ in range(rounds):
        for body in bodies:
            func(body)
    return rounds * len(bodies) / (time.process_time() - start)


def peak_memory(func, bodies) -> int:
    """Largest Python allocation peak (bytes) while handling any one of the pages."""
    peaks = []
    for body in bodies:
        tracemalloc.start()
        func(body)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    return max(peaks)


TARGET_RATIO = 1.5


def main(rounds: int = 5) -> int:
    bodies = inputs()
    timed(parse_report, bodies, 1)      # warm caches (OpenCC, regexes) for both sides
    timed(extraction_only, bodies, 1)
    results = {"extract": [], "parse": []}
    for _ in range(3):                  # interleave so drift hits both alike
        results["extract"].append(timed(extraction_only, bodies, rounds))
        results["parse"].append(timed(parse_report, bodies, rounds))
    extract, parse = max(results["extract"]), max(results["parse"])
    ratios = sorted(e / p for e, p in zip(results["extract"], results["parse"]))
    print(f"machine: {platform.machine()} {platform.processor() or ''} python {platform.python_version()}, {len(bodies)} report pages x {rounds} rounds")
    print(f"trafilatura extraction alone: {extract:8.1f} reports/CPU s")
    print(f"full parse (nianbao):         {parse:8.1f} reports/CPU s")
    print(f"cost ratio full/extraction:   {ratios[1]:8.2f}x median, {ratios[-1]:.2f}x worst of {len(ratios)} runs  "
          f"(target <= {TARGET_RATIO:.2f}x in every run: {'holds' if ratios[-1] <= TARGET_RATIO else 'FAILS'})")
    memory_extract, memory_parse = peak_memory(extraction_only, bodies), peak_memory(parse_report, bodies)
    print(f"peak memory per page:         {memory_parse / 2**20:8.1f} MiB full parse, {memory_extract / 2**20:.1f} MiB extraction alone, "
          f"ratio {memory_parse / memory_extract:.2f}x")
    ocr_cost(parse)
    return 0 if ratios[-1] <= TARGET_RATIO else 1


def ocr_inputs() -> list[tuple[str, object]]:
    """The demo's scanned PDF pages (rendered as the parser renders them) and table pictures."""
    import pypdfium2

    from crawler.ocr import decode_image
    shimen = ROOT / "demo" / "sites" / "www.shimen.gov.test" / "xxgk" / "ndbg"
    pages = []
    pdf = pypdfium2.PdfDocument((shimen / "jtj2020.pdf").read_bytes())
    for n in range(len(pdf)):
        gray = pdf[n].render(scale=2400 / pdf[n].get_width(), grayscale=True).to_numpy()
        pages.append((f"scan page {n + 1}", gray[:, :, 0] if gray.ndim == 3 else gray))
    pages += [(p.name, decode_image(p.read_bytes())) for p in sorted((shimen / "2022" / "images").iterdir())]
    return pages


def ocr_cost(parse_rate: float) -> None:
    from crawler.ocr import read_pixels, unavailable_reason
    reason = unavailable_reason()
    if reason:
        print(f"OCR: not measured: {reason}")
        return
    pages = ocr_inputs()
    start = time.perf_counter()
    for where, gray in pages:
        read_pixels(gray, where)
    rate = len(pages) / (time.perf_counter() - start)
    # wall clock: Tesseract runs in its own processes, which CPU time of this one would not count
    print(f"OCR (tesseract chi_sim):      {rate:8.3f} pages/s wall clock ({len(pages)} scanned pages and table pictures), "
          f"about {parse_rate / rate:.0f}x the cost of parsing a text report page")


if __name__ == "__main__":
    sys.exit(main())
