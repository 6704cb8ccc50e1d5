"""The main job on the bundled demo portals: serve them on loopback, run `scrapy crawl reports`
over them, and show what was found and flagged."""
from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "demo"


def free_port(preferred: int) -> int:
    with socket.socket() as s:
        # like the HTTP server itself, ignore connections of a previous run still in TIME_WAIT
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", preferred))
        except OSError:
            s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def portals_for_port(port: int, out: Path) -> Path:
    """demo/portals.csv with the start URLs pointing at `port`."""
    text = (DEMO / "portals.csv").read_text(encoding="utf-8").replace(".test:8808", f".test:{port}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return out


def crawl_command(portals: Path, db: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"portals={portals}",
            "-s", f"RESOLVE_FILE={DEMO / 'hosts.txt'}", "-s", "ALLOW_PRIVATE_ADDRESSES=127.0.0.1", "-s", f"REPORTS_DB={db}", "-s", "LOG_LEVEL=WARNING",
            "-s", "PROGRESS_INTERVAL=3", *extra]


def run_demo(port: int = 8808, db: str = "output/reports.db") -> int:
    sys.path.insert(0, str(ROOT))
    from demo.server import DemoServer
    port = free_port(port)
    server = DemoServer(port).start_background()
    print(f"demo portals serving on http://127.0.0.1:{port}/ (names in demo/hosts.txt)", flush=True)
    try:
        portals = portals_for_port(port, ROOT / "output" / "demo-portals.csv")
        print("$ scrapy " + " ".join(crawl_command(portals, db)[3:]), flush=True)
        code = subprocess.call(crawl_command(portals, db), cwd=ROOT)
    finally:
        server.shutdown()
        server.server_close()
        print("demo portals stopped", flush=True)
    if code != 0:
        print(f"the crawl failed (exit {code})", file=sys.stderr)
        return code
    from .cli_utils import format_report_list
    from .store import open_db, stored_reports
    print("\nreports in " + db + ":\n" + format_report_list(stored_reports(open_db(db))))
    print("\nbrowse them: make browse   (datasette on http://127.0.0.1:8001/)")
    return 0
