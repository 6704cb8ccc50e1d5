"""Reading a fetched page for the spider's decisions (crawler.pageread), inline and in the crawl's
reader process, and what happens when that process dies."""
import concurrent.futures
import os
import signal
import threading

from scrapy.http import HtmlResponse, Request, Response

from crawler import pageread
from crawler.pageread import PageReader, read_response
from crawler.store import sha256
from tests.fixtures import SITES

MAX_BYTES, MAX_LINKS = 4 * 1024 * 1024, 3000


def response(url, meta=None, content_type="text/html"):
    host, path = url.split("/", 3)[2], url.split("/", 3)[3]
    body = (SITES / host / path).read_bytes()
    cls = HtmlResponse if content_type == "text/html" else Response
    return cls(url, body=body, request=Request(url, meta=meta or {}), headers={"Content-Type": content_type})


def read(url, **kwargs):
    return read_response(response(url, **kwargs), MAX_BYTES, MAX_LINKS)


def test_a_list_of_reports_is_read_with_its_links_scored():
    page = read("http://www.qingyang.gov.test/xxgk/ndbg/index.html")
    assert page.kind == "index" and page.is_list and page.report is None and page.error is None
    scores = {url: score for url, _, _, score in page.followed}
    assert scores["http://www.qingyang.gov.test/xxgk/ndbg/2019/art_1.html"] == 100
    assert all(score > 0 for score in scores.values())          # only links worth following travel back
    assert "http://www.qingyang.gov.test/xxgk/ndbg/index_1.html" in page.pagination


def test_a_report_page_is_read_with_its_year_and_later_pages():
    page = read("http://www.xinzhou.gov.test/xxgk/kjj/202301/t20230118_2.html")
    assert page.kind == "report" and page.report is not None and not page.followed
    assert page.report.year == 2022
    assert page.report.later_pages == ["http://www.xinzhou.gov.test/xxgk/kjj/202301/t20230118_2_2.html"]


def test_an_attachment_and_known_bytes_are_not_read_further():
    pdf = read("http://www.dongpo.gov.test/xxgk/ndbg/sfj2020.pdf", content_type="application/pdf")
    assert pdf.attachment and pdf.kind == "" and not pdf.followed
    page = response("http://www.qingyang.gov.test/xxgk/ndbg/index.html")
    known = read_response(page.replace(request=Request(page.url, meta={"known": {"sha256": sha256(page.body)}})),
                          MAX_BYTES, MAX_LINKS)
    assert known.unchanged and known.sha256 == sha256(page.body) and not known.followed


def test_the_reader_process_reads_as_the_inline_reading_does():
    reader = PageReader(MAX_BYTES, MAX_LINKS)
    try:
        for url in ("http://www.qingyang.gov.test/xxgk/ndbg/index.html",
                    "http://www.xinzhou.gov.test/xxgk/kjj/202301/t20230118_2.html"):
            assert reader.submit(response(url)).result(timeout=120) == read(url)
    finally:
        reader.close()


def test_a_reader_that_dies_costs_one_page_at_most_and_is_started_again():
    reader = PageReader(MAX_BYTES, MAX_LINKS)
    url = "http://www.qingyang.gov.test/xxgk/ndbg/index.html"
    try:
        assert reader.submit(response(url)).result(timeout=120).error is None
        for process in list(reader._executor._processes.values()):
            os.kill(process.pid, signal.SIGKILL)
        # the page read while it died is kept as unreadable (the spider stores its bytes), never lost
        during = reader.submit(response(url)).result(timeout=120)
        assert during.error is None or during.error.startswith("the page reader died: ")
        assert during.sha256 == sha256(response(url).body)
        after = reader.submit(response(url)).result(timeout=120)
        assert after == read(url)
    finally:
        reader.close()


def test_a_page_answered_before_its_callback_is_hooked_is_read():
    """On a busy machine the submitting thread can be held up long enough for the reader to answer
    before the callback is hooked; the callback then runs at once, in the submitting thread, which
    must not be holding the reader's lock then. Made certain here: submitting waits for the answer."""
    reader = PageReader(MAX_BYTES, MAX_LINKS)
    url = "http://www.qingyang.gov.test/xxgk/ndbg/index.html"
    reads, submitting = [], None
    try:
        reader.submit(response(url)).result(timeout=120)
        executor, submit = reader._executor, reader._executor.submit

        def submit_and_wait(*args):
            answer = submit(*args)
            concurrent.futures.wait([answer])
            return answer
        executor.submit = submit_and_wait
        submitting = threading.Thread(target=lambda: reads.append(reader.submit(response(url)).result(timeout=60)), daemon=True)
        submitting.start()
        submitting.join(60)
        assert not submitting.is_alive() and reads == [read(url)]
    finally:
        if submitting is None or not submitting.is_alive():     # else it holds the lock for ever
            reader.close()


def read_or_hang(url, *args):
    """read_page, except that a page named hang.html is read for ever, as C code that never
    returns would (no signal reaches it)."""
    if url.endswith("/hang.html"):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM, signal.SIGTERM, signal.SIGINT})
        while True:
            pass
    return pageread.read_page(url, *args)


def test_a_page_the_reader_never_finishes_is_kept_unreadable_and_the_pages_behind_it_are_read():
    reader = PageReader(MAX_BYTES, MAX_LINKS, timeout=2, read=read_or_hang)
    reader.WATCH_SECONDS = 0.2
    lists = "http://www.qingyang.gov.test/xxgk/ndbg/index.html"
    report = "http://www.xinzhou.gov.test/xxgk/kjj/202301/t20230118_2.html"
    hostile = response(lists).replace(url="http://www.qingyang.gov.test/hang.html")
    try:
        assert reader.submit(response(lists)).result(timeout=120) == read(lists)
        stuck = reader.submit(hostile)
        behind = [reader.submit(response(url)) for url in (lists, report, lists)]
        page = stuck.result(timeout=120)
        assert page.error == ("reading the page took over 2 s (PAGE_READ_TIMEOUT): "
                              "the page reader was stopped and started again")
        assert page.sha256 == sha256(hostile.body) and not page.followed
        # the queue behind it goes to the new reader: nothing else is lost or marked unreadable
        assert [future.result(timeout=120) for future in behind] == [read(lists), read(report), read(lists)]
        assert reader.submit(response(report)).result(timeout=120) == read(report)
    finally:
        reader.close()


def test_a_page_that_cannot_be_read_carries_its_error_instead_of_raising(monkeypatch):
    def broken(html):
        raise ValueError("no tree")
    monkeypatch.setattr(pageread, "outline_html", broken)
    page = read("http://www.qingyang.gov.test/xxgk/ndbg/index.html")
    assert page.error == "ValueError: no tree" and page.report is None and not page.followed
    assert page.sha256 == sha256(response("http://www.qingyang.gov.test/xxgk/ndbg/index.html").body)
