"""Hostile portals for the fault suite: HTTP servers on loopback (random ports) that answer as an
attacker or a badly run site would, a crawl runner that measures what a crawl cost, and
hand-made PDF and DOCX bombs. Nothing here sends a packet off loopback."""
from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
import time
import zipfile
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FAST = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_BACKOFF_BASE=0.1",
        "-s", "LOG_LEVEL=INFO", "-s", "PROGRESS_INTERVAL=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8"]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        self.server.requests.append((host, self.path))
        route = self.server.routes.get(self.path) or self.server.routes.get(self.path.split("?")[0])
        if route is None:
            return send(self, b"<html><body>404</body></html>", status=404)
        try:
            route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass        # the crawler hung up on us, as it should

    def log_message(self, format, *args):
        pass


class HostileServer(ThreadingHTTPServer):
    """Serves `routes` {path: function(handler)}; records every request and counts connections
    (a refused request must not even connect)."""
    daemon_threads = True

    def __init__(self, routes: dict, address: str = "127.0.0.1", port: int = 0):
        super().__init__((address, port), Handler)
        self.routes = routes
        self.requests: list[tuple[str, str]] = []
        self.connections = 0

    def get_request(self):
        self.connections += 1
        return super().get_request()

    @property
    def port(self) -> int:
        return self.server_address[1]

    def __enter__(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()


# ------------------------------------------------------------------ answers

def send(handler, body: bytes, status: int = 200, ctype: str = "text/html; charset=utf-8", headers: dict | None = None):
    handler.send_response(status)
    handler.send_header("Content-Type", ctype)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def page(html: str | bytes, status: int = 200, ctype: str = "text/html; charset=utf-8", headers: dict | None = None):
    body = html.encode("utf-8") if isinstance(html, str) else html
    return lambda handler: send(handler, body, status, ctype, headers)


def redirect(location: str, status: int = 302):
    return lambda handler: send(handler, b"", status, headers={"Location": location})


def endless_headers(handler):
    """A header section that never ends."""
    handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
    line = b"X-Filler: " + b"a" * 1000 + b"\r\n"
    deadline = time.time() + 20
    while time.time() < deadline:
        handler.wfile.write(line * 64)


def slow_drip(handler):
    """Headers at once, then one byte a second."""
    handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n")
    for _ in range(60):
        handler.wfile.write(b"<")
        handler.wfile.flush()
        time.sleep(1)


def gzip_bomb(megabytes: int):
    body = _deflate(megabytes, wbits=31)
    return lambda handler: send(handler, body, headers={"Content-Encoding": "gzip"})


def _deflate(megabytes: int, wbits: int = 15) -> bytes:
    """`megabytes` of zeros, compressed a megabyte at a time (never held whole)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    zeros = b"\0" * (1024 * 1024)
    return b"".join(compressor.compress(zeros) for _ in range(megabytes)) + compressor.flush()


def throttled(status: int, retry_after: str, then):
    """`status` with Retry-After on the first request, then `then`."""
    state = {"calls": 0}

    def answer(handler):
        state["calls"] += 1
        if state["calls"] == 1:
            return send(handler, b"busy", status, headers={"Retry-After": retry_after})
        return then(handler)
    return answer


# ------------------------------------------------------------------ pages

REPORT_TITLE = "{agency}{year}年政府信息公开工作年度报告"


def report_html(agency: str = "青阳县人民政府", year: int = 2021, received: str = "46", title: str | None = None,
                head: str = "") -> str:
    """A small 2021-template report page: title, overview and table 三's first rows."""
    title = title or REPORT_TITLE.format(agency=agency, year=year)
    row = lambda label, value: f"<tr><td>{label}</td>" + f"<td>{value}</td>" * 7 + "</tr>"
    return f"""<html><head><meta charset="utf-8">{head}<title>{title}</title></head><body>
<h1>{title}</h1>
<p>一、总体情况</p><p>{year}年，{agency}认真贯彻落实《中华人民共和国政府信息公开条例》。</p>
<p>三、收到和处理政府信息公开申请情况</p>
<table>
<tr><td>（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td><td>自然人</td><td>商业企业</td>
<td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td><td>总计</td></tr>
{row("一、本年新收政府信息公开申请数量", received)}
{row("二、上年结转政府信息公开申请数量", "0")}
</table></body></html>"""


def link(href: str, anchor: str = "2021年政府信息公开工作年度报告") -> str:
    return f'<a href="{href}">{anchor}</a>'


def index_html(*links: str, head: str = "") -> str:
    return f"<html><head><meta charset='utf-8'>{head}<title>政府信息公开年报</title></head><body><h1>政府信息公开年度报告</h1>" \
           + "".join(f"<p>{a}</p>" for a in links) + "</body></html>"


# ------------------------------------------------------------------ documents

def pdf(pages: list[bytes], extra_streams: list[bytes] = ()) -> bytes:
    """A minimal valid PDF: one page per content stream (Helvetica text), plus extra Flate streams."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", None,
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for content in pages:
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                       b"/Resources << /Font << /F1 3 0 R >> >> >>" % len(objects))
        kids.append(len(objects))
    for data in extra_streams:
        objects.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream")
    objects[1] = b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids) + b"] /Count %d >>" % len(kids)
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % o for o in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def text_page(text: str) -> bytes:
    return b"BT /F1 12 Tf 72 720 Td (" + text.encode("ascii") + b") Tj ET"


def flate_bomb(megabytes: int) -> bytes:
    return _deflate(megabytes)


def docx_bomb(megabytes: int) -> bytes:
    """A zip with a DOCX's names whose document.xml inflates to `megabytes`."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            for _ in range(megabytes):
                member.write(b" " * (1024 * 1024))
    return out.getvalue()


# ------------------------------------------------------------------ crawling

class CrawlResult:
    def __init__(self, returncode, stdout, stderr, seconds, max_rss_mb):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr
        self.seconds, self.max_rss_mb = seconds, max_rss_mb

    def stat(self, line_label: str) -> str:
        """The text of one line of the crawl summary, e.g. stat('refused by reason')."""
        for line in self.stdout.splitlines():
            if line.strip().startswith(line_label):
                return line.split(line_label, 1)[1].strip()
        raise AssertionError(f"no {line_label!r} in the summary:\n{self.stdout}\n{self.stderr[-3000:]}")

    def counts(self, line_label: str) -> dict[str, int]:
        text = self.stat(line_label)
        if text in ("none", "nothing"):
            return {}
        return {k: int(v) for k, v in (part.rsplit(" ", 1) for part in text.split(", "))}


def crawl(start_urls: str, db, *extra: str, timeout: float = 120) -> CrawlResult:
    """`scrapy crawl reports` in a subprocess; its own peak memory is measured with wait4."""
    command = [sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"start_urls={start_urls}",
               "-s", f"REPORTS_DB={db}", *FAST, *extra]
    out, err = (open(Path(db).with_suffix(f".{name}"), "w+") for name in ("out", "err"))
    started = time.time()
    process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=err, text=True)
    timer = threading.Timer(timeout, process.kill)
    timer.start()
    try:
        _, status, usage = os.wait4(process.pid, 0)
    finally:
        timer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.time() - started
    out.seek(0)
    err.seek(0)
    return CrawlResult(process.returncode, out.read(), err.read(), seconds, usage.ru_maxrss / 1024)
