"""Full parse vs. trafilatura extraction alone, over the same HTML pages, in one run.

The baseline is what the parse is built on: decode, then trafilatura.extract with exactly the
options the parser passes (crawler.extract.TRAFILATURA_OPTIONS). The full parse is
crawler.report.parse_report, what crawler.jobs.parse_job runs for each page (decode, extract,
clean, identify, tables, validate). Both sides are timed in CPU time of this process, page by
page in alternation (so that load from other jobs on a shared machine falls on both alike),
after a warm-up pass and a garbage collection; three runs, each printing its own ratio, and the
target (full parse at most 1.5x extraction) must hold in every run.
Then the peak Python memory of one page, and OCR's cost: scanned pages and table pictures (the
demo's) read per second, and what one costs against parsing one text report page.
"""
from __future__ import annotations

import argparse
import gc
import os
import platform
import sys
import time
import tracemalloc
from pathlib import Path

import trafilatura

from crawler.decode import decode_bytes
from crawler.extract import TRAFILATURA_OPTIONS
from crawler.report import NotAReport, parse_report

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 1.5


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
    trafilatura.extract(decode_bytes(body).text, **TRAFILATURA_OPTIONS)


def interleaved_run(bodies: list[bytes], rounds: int) -> tuple[float, float]:
    """CPU seconds of (extraction alone, full parse) over `rounds` passes of the pages, the two
    timed page by page in alternation, each going first on every other page and round."""
    gc.collect()
    spent = {extraction_only: 0.0, parse_report: 0.0}
    clock = time.process_time
    for n in range(rounds * len(bodies)):
        body = bodies[n % len(bodies)]
        first = (n + n // len(bodies)) % 2 == 0
        for func in (extraction_only, parse_report) if first else (parse_report, extraction_only):
            start = clock()
            func(body)
            spent[func] += clock() - start
    return spent[extraction_only], spent[parse_report]


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            return next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "")
    except OSError:
        return platform.processor()


def peak_memory(func, bodies) -> int:
    """Largest Python allocation peak (bytes) while handling any one of the pages."""
    peaks = []
    for body in bodies:
        tracemalloc.start()
        func(body)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    return max(peaks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="interleaved runs, each with its own ratio (default 3)")
    parser.add_argument("--rounds", type=int, default=5, help="passes over the pages in a run (default 5)")
    parser.add_argument("--no-ocr", action="store_true", help="skip the OCR figures")
    args = parser.parse_args(argv)
    bodies = inputs()
    load_before = os.getloadavg()
    interleaved_run(bodies, 1)          # warm-up: imports, OpenCC's tables, compiled patterns
    print(f"machine: {platform.machine()} {cpu_name()}, python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, load average {load_before[0]:.1f}; "
          f"{len(bodies)} report pages x {args.rounds} rounds per run")
    ratios, rates = [], []
    for run in range(1, args.runs + 1):
        extract_s, parse_s = interleaved_run(bodies, args.rounds)
        pages = args.rounds * len(bodies)
        ratios.append(parse_s / extract_s)
        rates.append((pages / extract_s, pages / parse_s))
        print(f"run {run}: trafilatura extraction alone {pages / extract_s:6.1f} reports/CPU s, "
              f"full parse {pages / parse_s:6.1f} reports/CPU s: cost ratio {ratios[-1]:.2f}x")
    worst = max(ratios)
    holds = worst <= TARGET_RATIO
    print(f"cost ratio full/extraction:   {sorted(ratios)[len(ratios) // 2]:.2f}x median, {worst:.2f}x worst of "
          f"{len(ratios)} runs ({', '.join(f'{r:.2f}' for r in ratios)}); target <= {TARGET_RATIO:.2f}x in every run: "
          f"{'holds' if holds else 'FAILS'} (load average {os.getloadavg()[0]:.1f} at the end)")
    memory_extract, memory_parse = peak_memory(extraction_only, bodies), peak_memory(parse_report, bodies)
    print(f"peak memory per page:         {memory_parse / 2**20:8.1f} MiB full parse, {memory_extract / 2**20:.1f} MiB extraction alone, "
          f"ratio {memory_parse / memory_extract:.2f}x")
    if not args.no_ocr:
        ocr_cost(max(parse for _, parse in rates))
    return 0 if holds else 1


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
