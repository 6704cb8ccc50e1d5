"""The demo crawl's database in datasette, opened by a real headless Chromium."""
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

from crawler.demo import free_port
from tests.fixtures import EXPECTED, ROOT

SCREENSHOTS = ROOT / "output" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium not installed (make test installs it with apt-get as root)")


@pytest.fixture(scope="module")
def datasette(first_crawl):
    port = free_port(0)
    process = subprocess.Popen([sys.executable, "-m", "datasette", "serve", str(first_crawl["db"]), "--port", str(port),
                                "--metadata", str(ROOT / "crawler" / "datasette.json"), "--immutable", str(first_crawl["db"])],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/-/versions.json", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(10)


def chromium(url: str, screenshot: str) -> str:
    """The page's DOM after its scripts ran, and a screenshot kept under output/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--hide-scrollbars"]
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([CHROMIUM, *flags, f"--user-data-dir={profile}/a", "--window-size=1400,1600",
                        f"--screenshot={SCREENSHOTS / screenshot}", url], capture_output=True, timeout=120, check=True)
        dom = subprocess.run([CHROMIUM, *flags, f"--user-data-dir={profile}/b", "--dump-dom", url],
                             capture_output=True, timeout=120, check=True)
    return dom.stdout.decode("utf-8")


def test_reports_table_page(datasette):
    dom = chromium(f"{datasette}/reports/reports?_sort=agency", "reports.png")
    assert "每个机关每年一行" in dom                       # table description from the metadata
    assert f"{len(EXPECTED)} rows" in dom         # Chromium is here, so the JavaScript-only portal's reports too
    for agency in ("青阳县人民政府", "盘山县人民政府办公室", "临江市生态环境局", "东坡区司法局"):
        assert agency in dom
    assert 'class="facet-info' in dom and "template" in dom
    assert (SCREENSHOTS / "reports.png").stat().st_size > 10_000


def test_canned_query_of_failing_checks(datasette):
    dom = chromium(f"{datasette}/reports/failing_checks", "failing_checks.png")
    assert "Reports that fail 勾稽 checks" in dom
    assert "natural_person: outcome rows add up to 16 but total_handled is 14" in dom     # sample 001
    assert "conflicting_versions" in dom and "东坡区人民政府" in dom
    assert "青阳县教育局" not in dom                        # a clean report is not listed

