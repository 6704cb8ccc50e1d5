"""Fault suite, limits on parsing: a worker process gets a time and a memory limit and is replaced
after passing one; tables, PDFs and DOCX files that would cost minutes or gigabytes are read within
bounds or refused with a reason; the parser CLI obeys the same limits."""
import signal
import subprocess
import sys
import time

import lxml.html
import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler import limits
from crawler.attachments import check_docx_size, check_pdf_streams, read_pdf
from crawler.exc import ParseLimitExceeded
from crawler.extract import table_grid
from crawler.items import ReportItem
from crawler.jobs import parse_item
from crawler.pageread import read_response
from crawler.schema import ParseOutcome
from crawler.workers import ParseRunner
from spiders.reports import ReportsSpider
from tests.fixtures import ROOT
from tests.hostile import docx_bomb, flate_bomb, pdf, report_html, text_page

REPORT = ReportItem(url="http://x.test/a.html", body=report_html().encode())


def hog_memory(item):
    return len(bytearray(3 * 1024 ** 3))


def spin_in_python(item):
    while True:
        pass


def spin_out_of_reach(item):
    """Like C code that never returns to Python: the worker's alarm cannot reach it (ignored for the
    whole process: blocking it in this thread alone would let another thread take it)."""
    signal.signal(signal.SIGALRM, signal.SIG_IGN)
    while True:
        pass


def limits_with(**values):
    return {**{name: getattr(limits, name) for name in limits.PARSER_LIMITS}, **values}


@pytest.fixture
def runner():
    runner = ParseRunner(1, limit_values=limits_with(PARSE_MEMORY_MB=1024, PARSE_TIMEOUT=1))
    yield runner
    runner.close()


def test_a_parse_over_the_memory_limit_is_recorded_and_the_next_one_runs(runner):
    runner.job = hog_memory
    assert runner.run(None) == ParseOutcome("limit_exceeded", reason="parse limit: memory (1024 MiB) exceeded")
    runner.job = parse_item
    outcome = runner.run(REPORT)
    assert outcome.status == "report" and outcome.report["year"] == 2021


def nothing(item):
    return ParseOutcome("not_a_report")


def test_a_parse_over_the_time_limit_is_stopped(runner):
    runner.job = nothing
    runner.run(None)            # the worker's start-up is not what is timed
    runner.job = spin_in_python
    started = time.time()
    assert runner.run(None) == ParseOutcome("limit_exceeded", reason="parse limit: time (1 s) exceeded")
    assert time.time() - started < 10


def test_a_parse_stuck_in_c_code_costs_its_worker(runner):
    runner.job = spin_out_of_reach
    outcome = runner.run(None)
    assert outcome.status == "limit_exceeded" and "worker was killed and replaced" in outcome.reason
    runner.job = parse_item
    assert runner.run(REPORT).status == "report"


def test_a_table_of_huge_spans_is_read_by_its_cells():
    """5 000 cells of colspan=50 rowspan=50 would be 12.5 million grid positions."""
    rows = "".join("<tr>" + '<td colspan="50" rowspan="50">1</td>' * 50 + "</tr>" for _ in range(100))
    table = lxml.html.fromstring(f"<table>{rows}</table>")
    grid = table_grid(table)
    assert sum(len(r) for r in grid) <= 5000
    assert max(c.col for r in grid for c in r) < 256
    page = report_html().replace("</body>", f"<table><tr><td>本年新收</td></tr>{rows}</table></body>")
    with_limits = ParseRunner(1, limit_values=limits_with(PARSE_TIMEOUT=30))
    try:
        outcome = with_limits.run(ReportItem(url="http://x.test/b.html", body=page.encode()))
    finally:
        with_limits.close()
    assert outcome.status == "report" and outcome.report["applications"]["new_received"]["total"] == 46


def test_pdf_pages_beyond_the_limit_are_not_read():
    document = pdf([text_page(f"page {n} of the file") for n in range(1, 2001)])
    text, _, _ = read_pdf(document)      # text, grids, what OCR read
    assert "page 1 of the file" in text and f"page {limits.PDF_MAX_PAGES} of the file" in text
    assert f"page {limits.PDF_MAX_PAGES + 1} of the file" not in text and "page 2000 of" not in text


def test_flate_and_zip_bombs_are_refused_before_inflating(monkeypatch):
    monkeypatch.setattr(limits, "PDF_MAX_INFLATED_MB", 8)
    monkeypatch.setattr(limits, "DOCX_MAX_UNCOMPRESSED_MB", 8)
    with pytest.raises(ParseLimitExceeded, match="PDF_MAX_INFLATED_MB"):
        check_pdf_streams(pdf([text_page("2021")], [flate_bomb(16)]))
    with pytest.raises(ParseLimitExceeded, match="DOCX_MAX_UNCOMPRESSED_MB"):
        check_docx_size(docx_bomb(16))
    check_pdf_streams(pdf([text_page("2021")], [flate_bomb(4)]))
    real_docx = ROOT / "demo" / "sites" / "www.dongpo.gov.test" / "xxgk" / "ndbg" / "qzf2021.docx"
    check_docx_size(real_docx.read_bytes())


def test_the_cli_obeys_the_same_limits(tmp_path):
    bomb = tmp_path / "report.docx"
    bomb.write_bytes(docx_bomb(limits.DOCX_MAX_UNCOMPRESSED_MB + 20))
    done = subprocess.run([sys.executable, "-m", "crawler", "parse", str(bomb)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.startswith("unreadable: ") and "DOCX_MAX_UNCOMPRESSED_MB" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_the_spider_reads_a_bounded_part_of_a_page():
    crawler = get_crawler(ReportsSpider, {"PAGE_MAX_BYTES": 100_000, "PAGE_MAX_LINKS": 50})
    crawler._apply_settings()
    spider = ReportsSpider.from_crawler(crawler, start_urls="http://www.qingyang.gov.test/")
    links = "".join(f'<p><a href="/xxgk/ndbg/{n}.html">{2000 + n % 30}年政府信息公开工作年度报告</a></p>' for n in range(20000))
    body = f"<html><head><title>年报</title></head><body>{links}</body></html>".encode()
    url = "http://www.qingyang.gov.test/xxgk/ndbg/index.html"
    response = HtmlResponse(url, body=body, request=Request(url, meta={"portal": 0, "hops": 0}),
                            headers={"Content-Type": "text/html; charset=utf-8"})
    read = read_response(response, spider.page_max_bytes, spider.page_max_links)
    assert read.bytes_limited and read.links_limited and len(read.followed) == 50
    requests = [r for r in spider.parse_page(response, read) if isinstance(r, Request)]
    assert 0 < len(requests) <= 50
    assert crawler.stats.get_value("nianbao/limited/page_bytes") == 1
    assert crawler.stats.get_value("nianbao/limited/page_links") == 1
