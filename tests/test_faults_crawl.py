"""Fault suite, one crawl of a hostile portal: every page that can be stored is stored (lying
charsets, figures too large for the schema, throttling), every expensive answer is bounded
(endless headers, gzip bombs, slow drip, a page of 60 000 links, zip and Flate bombs, a parse
that runs too long) and the crawl summary says what was refused and limited."""
import random

import pytest
import sqlite_utils

from tests.hostile import (
    HostileServer,
    crawl,
    docx_bomb,
    endless_headers,
    flate_bomb,
    gzip_bomb,
    index_html,
    link,
    page,
    pdf,
    report_html,
    slow_drip,
    text_page,
    throttled,
)

AGENCIES = {
    "undefined": "甲县人民政府", "punycode": "乙县人民政府", "utf7": "丙县人民政府", "digits20": "丁县人民政府",
    "digits5000": "戊县人民政府", "busy429": "己县人民政府", "busy503": "庚县人民政府",
}
HEAVY_LINKS = 60_000


def routes():
    reports = {
        "undefined": page(report_html(AGENCIES["undefined"]), ctype="text/html; charset=undefined"),
        "punycode": page(report_html(AGENCIES["punycode"]).replace('<meta charset="utf-8">', '<meta charset="punycode">'),
                         ctype="text/html"),
        "utf7": page(report_html(AGENCIES["utf7"], head="<meta name='description' content='+2AA-'>").replace(
            "认真贯彻", "+2AA-认真贯彻"), ctype="text/html; charset=utf-7"),
        "digits20": page(report_html(AGENCIES["digits20"], received="9" * 20)),
        "digits5000": page(report_html(AGENCIES["digits5000"], received="9" * 5000)),
        "busy429": throttled(429, "1", page(report_html(AGENCIES["busy429"]))),
        "busy503": throttled(503, "1", page(report_html(AGENCIES["busy503"]))),
    }
    heavy = report_html("辛县人民政府").replace("</body>", "".join(
        f'<a href="/news/{i}.html">新闻{i}</a>' for i in range(HEAVY_LINKS)) + "</body>")
    table = {f"/ndbg/{name}.html": answer for name, answer in reports.items()}
    table.update({
        "/ndbg/headers.html": endless_headers,
        "/ndbg/gzip.html": gzip_bomb(80),
        "/ndbg/drip.html": slow_drip,
        "/ndbg/heavy.html": page(heavy),
        "/ndbg/bomb.docx": page(docx_bomb(60), ctype="application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        "/ndbg/bomb.pdf": page(pdf([text_page("2021")], [flate_bomb(60)]), ctype="application/pdf"),
        # robots.txt of binary noise: ignored, not fatal
        "/robots.txt": page(random.Random(1).randbytes(300_000), ctype="text/plain"),
    })
    pages = [link(path, f"{n + 2000}年政府信息公开工作年度报告") for n, path in enumerate(table) if path.endswith(".html")]
    table["/"] = page(index_html(*pages, link("/ndbg/bomb.docx"), link("/ndbg/bomb.pdf")))
    return table


@pytest.fixture(scope="module")
def hostile_crawl(tmp_path_factory):
    db = tmp_path_factory.mktemp("faults") / "reports.db"
    with HostileServer(routes()) as server:
        result = crawl(f"http://127.0.0.1:{server.port}/", db, "-a", "years=2000-2030", "-s", "DOWNLOAD_TIMEOUT=4",
                       "-s", "PARSE_TIMEOUT=3", "-s", "RETRY_TIMES=1", "-s", "PAGE_MAX_LINKS=500",
                       # the bombs are small, the limits smaller: the same mechanism, a faster suite
                       "-s", "DOWNLOAD_MAXSIZE=20000000", "-s", "DOCX_MAX_UNCOMPRESSED_MB=20", "-s", "PDF_MAX_INFLATED_MB=20",
                       timeout=150)
    assert result.returncode == 0, result.stderr[-3000:]
    return {"result": result, "db": sqlite_utils.Database(db), "requests": server.requests}


def source(db, name):
    rows = list(db.query("SELECT * FROM sources WHERE url LIKE ?", [f"%/ndbg/{name}"]))
    assert len(rows) == 1, (name, rows)
    return rows[0]


def reports(db):
    return {r["agency"]: r for r in db.query("SELECT * FROM reports")}


def test_lying_and_broken_charsets_are_stored_as_reports(hostile_crawl):
    found = reports(hostile_crawl["db"])
    for name in ("undefined", "punycode", "utf7"):
        assert AGENCIES[name] in found, name
        assert source(hostile_crawl["db"], f"{name}.html")["encoding"] == "utf-8"


def test_no_lone_surrogate_reaches_the_database(hostile_crawl):
    db = hostile_crawl["db"]
    for row in db.query("SELECT parsed, parse_error, headers FROM sources"):
        for value in row.values():
            if value:
                value.encode("utf-8")        # a lone surrogate would raise


def test_figures_too_large_are_null_with_a_flag_and_the_report_is_stored(hostile_crawl):
    db = hostile_crawl["db"]
    found = reports(db)
    for name, digits in (("digits20", "20 digits"), ("digits5000", "too many digits")):
        report = found[AGENCIES[name]]
        cells = {(c["row"], c["column"]): c["value"] for c in db.query(
            "SELECT row, \"column\", value FROM cells WHERE report_id = ? AND \"table\" = 'applications'", [report["id"]])}
        assert cells[("new_received", "natural_person")] is None
        assert cells[("carried_over", "natural_person")] == 0
        details = [f["detail"] for f in db.query("SELECT detail FROM flags WHERE report_id = ? AND code = 'partial_table'",
                                                 [report["id"]])]
        assert any("too large for the schema" in d and "applications.new_received.natural_person" in d and digits in d
                   for d in details), details


def test_throttled_pages_are_retried_after_their_delay(hostile_crawl):
    found = reports(hostile_crawl["db"])
    assert AGENCIES["busy429"] in found and AGENCIES["busy503"] in found
    asked = [path for _, path in hostile_crawl["requests"]]
    assert asked.count("/ndbg/busy429.html") == 2 and asked.count("/ndbg/busy503.html") == 2


def test_expensive_answers_are_cut_off(hostile_crawl):
    result = hostile_crawl["result"]
    assert result.counts("refused by reason").get("header_limit", 0) >= 1
    errors = result.counts("errors by kind")
    assert errors.get("timeout", 0) + errors.get("DownloadTimeoutError", 0) >= 1, errors    # the slow drip
    assert result.max_rss_mb < 700, result.max_rss_mb                  # endless headers, gzip bomb: bounded
    assert result.seconds < 120


def test_a_parse_over_its_time_limit_is_recorded_with_its_bytes(hostile_crawl):
    heavy = source(hostile_crawl["db"], "heavy.html")
    assert heavy["parse_status"] == "limit_exceeded"
    assert "time (3 s) exceeded" in heavy["parse_error"]
    assert heavy["size"] > HEAVY_LINKS * 20 and heavy["body"]
    limited = hostile_crawl["result"].counts("limits reached")
    assert limited.get("parse", 0) >= 1 and limited.get("page_links", 0) >= 1


def test_bombs_are_refused_and_recorded(hostile_crawl):
    docx = source(hostile_crawl["db"], "bomb.docx")
    assert docx["parse_status"] == "limit_exceeded" and "DOCX_MAX_UNCOMPRESSED_MB" in docx["parse_error"]
    pdf_bomb = source(hostile_crawl["db"], "bomb.pdf")
    assert pdf_bomb["parse_status"] == "limit_exceeded" and "PDF_MAX_INFLATED_MB" in pdf_bomb["parse_error"]
