"""Serve the demo portals (demo/sites/<host>/) on loopback, one port, virtual hosts by Host header.

    python demo/server.py [--port 8808]

Behaves like real portals where the demo needs it: some pages are slow, one answers 500,
missing files are 404, `?page=N` lists are separate files (name@page=N), a Hanweb data proxy
answers POSTs and a GKMLPT catalogue its API (demo/apis.py), files carry an ETag and
Last-Modified and conditional requests get 304 Not Modified (like nginx on a static site), and
every request is recorded so tests can check what the crawler fetched.
"""
from __future__ import annotations

import argparse
import hashlib
import mimetypes
import threading
import time
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

try:
    from demo import apis
except ImportError:         # run as a script: python demo/server.py
    import apis

SITES = Path(__file__).resolve().parent / "sites"
DEFAULT_PORT = 8808
SLOW = {("www.linjiang.gov.test", "/xxgk/gkbg/slow.html"): 2.0}
ERRORS = {("www.qingyang.gov.test", "/xxgk/ndbg/2022/broken.html"): 500}
# GBK bytes served with no charset in the header: only the (lying) <meta> speaks.
NO_CHARSET_HOSTS = {"www.linjiang.gov.test"}
TYPES = {".html": "text/html", ".htm": "text/html", ".txt": "text/plain", ".pdf": "application/pdf",
         ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


class PortalHandler(BaseHTTPRequestHandler):
    server_version = "DemoPortal/1.0"

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        form = dict(parse_qsl(self.rfile.read(length).decode("utf-8", "replace"))) if length else {}
        host, parts, path = self._target()
        if not self._dynamic("POST", host, parts, path, form):
            self._send(405, b"<html><body>Method Not Allowed</body></html>", "text/html")

    def _target(self):
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        parts = urlsplit(self.path)
        self.server.requests.append((host, self.path, time.time()))
        return host, parts, unquote(parts.path)

    def _dynamic(self, method, host, parts, path, form=None) -> bool:
        """A data proxy or API answer (demo/apis.py); False for a plain file."""
        answer = apis.answer(SITES, host, method, path, dict(parse_qsl(parts.query)), form or {})
        if answer is None:
            return False
        status, body, ctype = answer
        self._send(status, body.replace(f".test:{DEFAULT_PORT}", f".test:{self.server.server_port}").encode("utf-8"), ctype)
        return True

    def do_GET(self):
        host, parts, path = self._target()
        if self._dynamic("GET", host, parts, path):
            return
        if (host, path) in SLOW:
            time.sleep(SLOW[(host, path)])
        if (host, path) in ERRORS:
            return self._send(ERRORS[(host, path)], b"<html><body>Internal Server Error</body></html>", "text/html")
        if path.endswith("/"):
            path += "index.html"
        sites = self.server.sites
        file = (sites / host / (path.lstrip("/") + (f"@{parts.query}" if parts.query else ""))).resolve()
        if parts.query in ("page=1", "page=0") and not file.is_file():
            file = (sites / host / path.lstrip("/")).resolve()
        if not str(file).startswith(str(sites.resolve())) or not file.is_file():
            return self._send(404, "<html><body><h1>404 页面不存在</h1></body></html>".encode(), "text/html; charset=utf-8")
        suffix = Path(path).suffix.lower()
        ctype = TYPES.get(suffix) or mimetypes.guess_type(path)[0] or ("text/html" if not suffix else "application/octet-stream")
        if ctype.startswith("text/") and host not in NO_CHARSET_HOSTS:
            ctype += "; charset=utf-8"
        body = file.read_bytes()
        if ctype.startswith("text/html"):
            # absolute links in the sites name the default port; point them at ours
            body = body.replace(f".test:{DEFAULT_PORT}".encode(), f".test:{self.server.server_port}".encode())
        mtime = int(file.stat().st_mtime)
        validators = {"ETag": f'"{hashlib.sha1(body).hexdigest()[:16]}"', "Last-Modified": formatdate(mtime, usegmt=True)}
        if self._not_modified(validators["ETag"], mtime):
            return self._send(304, b"", None, validators)
        self._send(200, body, ctype, validators)

    def _not_modified(self, etag: str, mtime: int) -> bool:
        if self.headers.get("If-None-Match") is not None:       # RFC 9110: the ETag wins over the date
            return etag in [t.strip() for t in self.headers["If-None-Match"].split(",")]
        since = self.headers.get("If-Modified-Since")
        try:
            return since is not None and mtime <= parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError):
            return False

    def _send(self, status, body: bytes, ctype: str | None, headers: dict | None = None):
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


class DemoServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int = DEFAULT_PORT, sites: Path = SITES):
        super().__init__(("127.0.0.1", port), PortalHandler)
        self.sites = Path(sites)
        self.requests: list[tuple[str, str, float]] = []

    def start_background(self) -> DemoServer:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = parser.parse_args()
    server = DemoServer(args.port)
    print(f"demo portals on http://127.0.0.1:{args.port}/ (hosts in demo/hosts.txt)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
