"""A real `scrapy crawl reports` over a generated county portal (bench/big_portal.py, seeded)
served on 127.0.0.1: every report is found, including those of agencies whose names hold words
of the negative list, in at most 3 pages per report, and ordinary documents are never fetched."""
import functools
import json
import re
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlite_utils

from bench.big_portal import generate
from tests.conftest import FAST

ROOT = Path(__file__).resolve().parents[1]
HOST = "www.qingyang.gov.test"


class Recording(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        self.server.paths.append(self.path)


@pytest.fixture(scope="module")
def portal_crawl(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("portal")
    expected = generate(tmp / "site", pages=2400, seed=5)     # 7 agencies: one keeps its reports among its notices
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Recording, directory=str(tmp / "site")))
    server.paths = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    db = tmp / "reports.db"
    try:
        done = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "reports", "-a",
                               f"start_urls=http://{HOST}:{server.server_port}/index.html", "-a", "max_pages=5000",
                               "-s", f"RESOLVE={HOST}=127.0.0.1", "-s", "ALLOW_PRIVATE_ADDRESSES=127.0.0.1", "-s", f"REPORTS_DB={db}",
                               "-s", "LOG_LEVEL=WARNING",
                               "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", *FAST],
                              cwd=ROOT, capture_output=True, text=True, timeout=300)
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == 0, done.stderr[-3000:]
    return {"expected": expected, "db": db, "paths": [p for p in server.paths if p != "/robots.txt"], "stdout": done.stdout}


def test_every_report_is_found_negative_words_in_agency_names_included(portal_crawl):
    found = {(r["agency"], r["year"]) for r in sqlite_utils.Database(portal_crawl["db"]).query("SELECT agency, year FROM reports")}
    wanted = {(r["agency"], r["year"]) for r in portal_crawl["expected"]["reports"]}
    assert found == wanted
    assert {a for a, _ in wanted} >= {"青阳县文化旅游体育局", "青阳县文化和旅游局", "青阳县文化广电体育和旅游局"}


def test_at_most_three_pages_per_report_and_no_ordinary_documents(portal_crawl):
    paths = portal_crawl["paths"]
    reports = {r["path"] for r in portal_crawl["expected"]["reports"]}
    assert len(paths) <= 3 * len(reports), len(paths)
    documents = [p for p in paths if re.search(r"/t\d{8}_\d+\.html$", p) and p not in reports]
    assert documents == []
    assert not [p for p in paths if p.startswith(("/news/", "/whly/"))]
    assert "pages per report" in portal_crawl["stdout"]


def test_expected_file_names_every_report_page(portal_crawl):
    expected = json.loads((Path(portal_crawl["db"]).parent / "site" / "expected.json").read_text(encoding="utf-8"))
    assert len(expected["reports"]) == 5 * expected["agencies"]
