"""Session fixtures: the demo portals served on loopback and a real crawl of them."""
import subprocess
from pathlib import Path

import pytest

from tests.fixtures import ROOT

FAST = ["-s", "AUTOTHROTTLE_START_DELAY=0.05", "-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_BACKOFF_BASE=0.1"]


@pytest.fixture(scope="session")
def server():
    from crawler.demo import free_port
    from demo.server import DemoServer
    srv = DemoServer(free_port(0)).start_background()
    yield srv
    srv.shutdown()
    srv.server_close()


def crawl(server, db, *extra):
    """A real `scrapy crawl reports` over the demo portals, as the README's main command runs it."""
    from crawler.demo import crawl_command, portals_for_port
    portals = portals_for_port(server.server_port, Path(db).parent / "portals.csv")
    done = subprocess.run(crawl_command(portals, str(db), *FAST, *extra), cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    # the crawler's own code must not fail on any demo page (a failing log formatter once did, per item)
    assert "Traceback" not in done.stderr, done.stderr[done.stderr.index("Traceback") - 300:][:3000]
    return done.stdout


@pytest.fixture(scope="session")
def first_crawl(server, tmp_path_factory):
    db = tmp_path_factory.mktemp("crawl") / "reports.db"
    start = len(server.requests)
    stdout = crawl(server, db)
    return {"db": db, "stdout": stdout, "requests": server.requests[start:]}
