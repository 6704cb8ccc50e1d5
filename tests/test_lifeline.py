"""A crawl killed outright leaves no helper process behind (crawler.lifeline)."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# starts a parse worker and the page reader, prints their pids, then waits to be killed
PARENT = """
import time
from scrapy.http import HtmlResponse, Request
from crawler.pageread import PageReader
from crawler.workers import ParseRunner
runner = ParseRunner(1, job=len)
assert runner.run(b"abc") == 3
reader = PageReader(1 << 20, 100)
url = "http://a.test/"
assert reader.submit(HtmlResponse(url, body=b"<title>t</title>", request=Request(url))).result(timeout=120).title == "t"
pids = [p.pid for executor in list(runner.idle.queue) + [reader._executor] for p in executor._processes.values()]
print(" ".join(map(str, pids)), flush=True)
time.sleep(600)
"""


def alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status      # a zombie is gone, whoever reaps it


def test_helpers_exit_when_the_crawl_is_killed():
    parent = subprocess.Popen([sys.executable, "-c", PARENT], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        helpers = [int(pid) for pid in parent.stdout.readline().split()]
        assert len(helpers) == 2 and all(map(alive, helpers))
    finally:
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
    deadline = time.monotonic() + 30
    while any(map(alive, helpers)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(map(alive, helpers))
