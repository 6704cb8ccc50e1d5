"""The crawl on a big county portal against a bare Scrapy spider fetching the same URLs.

    python bench/portal_bench.py [--quick] [--sizes 2000,20000] [--seed 11]

For each size it generates the portal (bench/big_portal.py, seeded, cached under
output/bench/), serves it with nginx on 127.0.0.1 (installed by `make bench-deps`; a Twisted
static server in a separate process when nginx is missing), runs `scrapy crawl reports` over it
with politeness off so that only the crawler's own cost shows, then runs bench/bare_spider.py
over exactly the URLs the crawl fetched (from nginx's access log) with the same settings.

Prints, with targets: pages per report found (<= 3), reports found / expected (all), CPU per
page of the crawl's reactor thread against the bare spider's (<= 1.25x), throughput (pages/s) of
both and their ratio (>= 0.8), peak RSS of each process tree. Parse workers' CPU is shown apart:
parsing is measured by bench/parse_bench.py.

The crawl and each baseline run --repeat times (the median run counts: CPU per page on a shared
machine varies by a fifth between runs). The bare spider runs twice over: on the otherwise idle
machine, as the target asks, and under the load the crawl puts on the machine itself (its parse
workers' processes parsing the crawl's reports meanwhile), which slows every instruction of a
reactor that shares the cores; the second ratio is the crawl's own cost.
"""
from __future__ import annotations

import argparse
import atexit
import json
import multiprocessing
import os
import resource
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from big_portal import generate  # bench/ is this script's own directory

ROOT = Path(__file__).resolve().parents[1]

HOST = "www.qingyang.gov.test"
# politeness off on loopback, the same for both spiders
# (no browser rendering either: a rendered page costs a Chromium, which the bare spider has not)
SETTINGS = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "CONCURRENT_REQUESTS": "16",
            "CONCURRENT_REQUESTS_PER_DOMAIN": "16", "LOG_LEVEL": "WARNING", "PROGRESS_INTERVAL": "0", "RENDER_JS": "off"}
TARGET_PAGES_PER_REPORT = 3.0
TARGET_CPU_RATIO = 1.25
TARGET_THROUGHPUT_RATIO = 0.8

NGINX_CONF = """daemon off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log crit;
events {{ worker_connections 256; }}
http {{
  types {{ text/html html; text/plain txt; }}
  default_type application/octet-stream;
  charset utf-8;
  log_format paths '$request_uri';
  access_log {dir}/access.log paths buffer=64k flush=1s;
  client_body_temp_path {dir}; proxy_temp_path {dir}; fastcgi_temp_path {dir}; uwsgi_temp_path {dir}; scgi_temp_path {dir};
  sendfile on; keepalive_requests 100000;
  server {{ listen 127.0.0.1:{port}; root {root}; index index.html; }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StaticServer:
    """nginx serving `root` on loopback, logging every request path; Twisted when nginx is missing."""

    def __init__(self, root: Path, workdir: Path):
        self.root, self.dir, self.port = root, workdir, free_port()
        self.log = workdir / "access.log"
        self.nginx = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)

    def __enter__(self):
        if self.nginx:
            conf = self.dir / "nginx.conf"
            conf.write_text(NGINX_CONF.format(dir=self.dir, port=self.port, root=self.root))
            self.proc = subprocess.Popen([self.nginx, "-c", str(conf), "-p", str(self.dir)])
            self.kind = "nginx"
        else:
            self.proc = subprocess.Popen([sys.executable, __file__, "--serve", str(self.root), str(self.port), str(self.log)])
            self.kind = "twisted (nginx missing: run `make bench-deps`)"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"static server did not start on port {self.port}")

    def paths(self) -> list[str]:
        time.sleep(1.2)     # nginx flushes its log buffer every second
        return self.log.read_text(encoding="utf-8").split() if self.log.exists() else []

    def reset_log(self):
        self.paths()
        self.log.write_text("")
        if self.kind == "nginx":    # reopen the log
            subprocess.run([self.nginx, "-c", str(self.dir / "nginx.conf"), "-p", str(self.dir), "-s", "reopen"],
                           check=False, stderr=subprocess.DEVNULL)

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(10)


def serve_twisted(root: str, port: int, log: str) -> None:
    """The fallback static server (one process, no logging overhead beyond one line a request)."""
    from twisted.internet import reactor
    from twisted.web import server, static
    out = open(log, "a", buffering=1)

    class Logged(static.File):
        def render_GET(self, request):
            out.write(request.uri.decode() + "\n")
            return super().render_GET(request)

    resource_root = Logged(root)
    resource_root.indexNames = ["index.html"]
    reactor.listenTCP(int(port), server.Site(resource_root), interface="127.0.0.1")
    reactor.run()


# ------------------------------------------------------------------ child processes

def _cpu(who=resource.RUSAGE_SELF) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


WARM_UP_PAGES = 50
STEADY_PAGES_NEEDED = 200       # fewer pages after the warm-up measure the crawl's start and end, not a page
PROFILE_ENV = "NIANBAO_BENCH_PROFILE"     # a file: the crawl's reactor thread is profiled into it (--profile)


class CrawlClock:
    """Extension: CPU (this process, all its threads; the reactor thread alone) and wall time
    from the spider's opening to its closing, so that start-up and imports count for neither
    spider; and the same from the WARM_UP_PAGES-th response on, the steady cost per page, without
    what the first pages pay once (lazy imports, compiled patterns, caches filling)."""
    marks: dict = {}

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy import signals
        ext = cls()
        ext.responses = 0
        crawler.signals.connect(ext.opened, signals.spider_opened)
        crawler.signals.connect(ext.response, signals.response_received)
        crawler.signals.connect(ext.closed, signals.spider_closed)
        return ext

    # signals are sent on the reactor thread: thread_time() there is the reactor's own CPU
    def opened(self, spider):
        self.marks.update(cpu0=_cpu(), reactor0=time.thread_time(), wall0=time.perf_counter())
        if os.environ.get(PROFILE_ENV):     # cProfile of the reactor thread alone (it profiles the thread that enables it)
            import cProfile
            self.profiler = cProfile.Profile(time.thread_time)   # CPU of this thread, as the figures
            self.profiler.enable()

    def response(self, response, request, spider):
        self.responses += 1
        self.marks["fetched"] = time.perf_counter()     # the last response: fetching is done here
        if self.responses == WARM_UP_PAGES:
            self.marks.update(warm_cpu=_cpu(), warm_reactor=time.thread_time())

    def closed(self, spider, reason):
        self.marks.update(cpu1=_cpu(), reactor1=time.thread_time(), wall1=time.perf_counter(), responses=self.responses)
        if getattr(self, "profiler", None):
            self.profiler.disable()
            self.profiler.dump_stats(os.environ[PROFILE_ENV])


def child(usage_file: str, argv: list[str]) -> None:
    """Run one scrapy command in this process; at exit write the crawl's CPU and wall time and
    its worker processes' CPU (waited-for children: the parse workers and the page reader, their
    start-up included)."""
    def write_usage():
        m = CrawlClock.marks
        Path(usage_file).write_text(json.dumps({"cpu": m["cpu1"] - m["cpu0"], "wall": m["wall1"] - m["wall0"],
                                                "fetch_wall": m.get("fetched", m["wall1"]) - m["wall0"],
                                                "reactor_cpu": m["reactor1"] - m["reactor0"],
                                                "steady_pages": m["responses"] - WARM_UP_PAGES,
                                                "steady_reactor_cpu": m["reactor1"] - m.get("warm_reactor", m["reactor1"]),
                                                "steady_cpu": m["cpu1"] - m.get("warm_cpu", m["cpu1"]),
                                                "children_cpu": _cpu(resource.RUSAGE_CHILDREN)}))
    atexit.register(write_usage)
    os.chdir(ROOT)
    sys.modules.setdefault("portal_bench", sys.modules["__main__"])     # the extension is this module's CrawlClock
    from scrapy.cmdline import execute
    execute(["scrapy", *argv])


def tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            pass
    return total


def run_measured(argv: list[str], workdir: Path, name: str, profile: Path | None = None) -> dict:
    usage = workdir / f"{name}-usage.json"
    log = (workdir / f"{name}.log").open("w")
    env = {**os.environ, PROFILE_ENV: str(profile)} if profile else None
    proc = subprocess.Popen([sys.executable, __file__, "--child", str(usage), *argv], stdout=log, stderr=subprocess.STDOUT, env=env)
    peak = [0]

    def watch():
        while proc.poll() is None:
            peak[0] = max(peak[0], tree_rss(proc.pid))
            time.sleep(0.2)
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    code = proc.wait()
    watcher.join()
    log.close()
    if code != 0 or not usage.exists():
        raise RuntimeError(f"{name} crawl failed (exit {code}); see {workdir / (name + '.log')}")
    return {**json.loads(usage.read_text()), "peak_rss": peak[0]}


def setting_args(settings: dict) -> list[str]:
    return [arg for k, v in settings.items() for arg in ("-s", f"{k}={v}")]


def parse_load(db: Path, stop, ready) -> None:
    """A load process: parse the crawl's stored reports over and over until `stop`, as the crawl's
    parse workers did while it fetched."""
    sys.path.insert(0, str(ROOT))
    from crawler.items import ReportItem
    from crawler.jobs import parse_item
    from crawler.store import source_body
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    items = [ReportItem(url=row["url"], body=source_body(dict(row)), content_type=row["content_type"] or "")
             for row in conn.execute("SELECT url, body, compression, content_type FROM sources WHERE parse_status = 'report'")]
    conn.close()
    parse_item(items[0])
    ready.release()
    while not stop.is_set():
        for item in items:
            if stop.is_set():
                break
            parse_item(item)


class ParseLoad:
    """PARSE_WORKERS processes of parse_load while the block runs."""

    def __init__(self, db: Path):
        from crawler.settings import PARSE_WORKERS
        self.db, self.workers = db, PARSE_WORKERS

    def __enter__(self):
        context = multiprocessing.get_context("spawn")
        self.stop, ready = context.Event(), context.Semaphore(0)
        self.processes = [context.Process(target=parse_load, args=(self.db, self.stop, ready)) for _ in range(self.workers)]
        for process in self.processes:
            process.start()
        for _ in self.processes:
            ready.acquire(timeout=120)
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for process in self.processes:
            process.join(30)
            if process.is_alive():
                process.kill()


def median_run(runs: list[dict]) -> dict:
    """The run whose steady reactor CPU per page is the median one."""
    ranked = sorted(runs, key=lambda run: run["steady_reactor_cpu"] / max(run["steady_pages"], 1))
    return ranked[len(ranked) // 2]


def bench_size(pages: int, seed: int, workdir: Path, profile: Path | None = None, repeat: int = 1) -> dict:
    portal = ROOT / "output" / "bench" / f"portal-{pages}-{seed}"
    expected = generate(portal, pages, seed)
    print(f"\n== portal of {expected['pages']} pages, {expected['agencies']} agencies, {len(expected['reports'])} reports "
          f"({portal.relative_to(ROOT)}); each run {repeat} time(s)", flush=True)
    with StaticServer(portal, workdir) as server:
        base = f"http://{HOST}:{server.port}"
        common = {**SETTINGS, "RESOLVE": f"{HOST}=127.0.0.1", "ALLOW_PRIVATE_ADDRESSES": "127.0.0.1"}
        clock = {"portal_bench.CrawlClock": 0}

        def crawl_argv(**settings) -> list[str]:
            return ["crawl", "reports", "-a", f"start_urls={base}{expected['start']}", "-a", "max_pages=1000000",
                    "-a", "max_depth=20", *setting_args({**common, **settings})]
        crawls, fetched = [], None
        for n in range(repeat):
            crawls.append(run_measured(
                crawl_argv(REPORTS_DB=workdir / f"reports-{pages}-{n}.db",
                           EXTENSIONS=json.dumps({"crawler.progress.CrawlProgress": 500, **clock})),
                workdir, f"project-{pages}-{n}", profile if n == 0 else None))
            fetched = fetched or server.paths()
            server.reset_log()
        # the same crawl with no parse and no store: what the spider's own decisions cost the reactor
        bare_crawls = [run_measured(crawl_argv(REPORTS_DB=workdir / f"unused-{pages}-{n}.db", ITEM_PIPELINES="{}",
                                               EXTENSIONS=json.dumps(clock)),
                                    workdir, f"no-pipelines-{pages}-{n}") for n in range(repeat)]
        server.reset_log()
        first_db = workdir / f"reports-{pages}-0.db"
        url_file = workdir / f"urls-{pages}.txt"
        url_file.write_text("\n".join(base + p for p in fetched if p != "/robots.txt"))
        bare_argv = ["runspider", str(ROOT / "bench" / "bare_spider.py"), "-a", f"urls={url_file}",
                     *setting_args({**common, "ITEM_PIPELINES": "{}", "EXTENSIONS": json.dumps(clock)})]
        bares = [run_measured(bare_argv, workdir, f"bare-{pages}-{n}") for n in range(repeat)]
        bare_fetched = server.paths()
        with ParseLoad(first_db):
            loaded = [run_measured(bare_argv, workdir, f"bare-loaded-{pages}-{n}") for n in range(repeat)]
        server_kind = server.kind
    conn = sqlite3.connect(first_db)
    found = {(a, y) for a, y in conn.execute("SELECT agency, year FROM reports")}
    conn.close()
    wanted = {(r["agency"], r["year"]) for r in expected["reports"]}
    return {"pages": expected["pages"], "server": server_kind, "fetched": len(fetched),
            "bare_fetched": len(bare_fetched) // repeat, "reports_expected": len(wanted), "reports_found": len(found & wanted),
            "missed": sorted(wanted - found)[:5], "extra": len(found - wanted), "project": median_run(crawls),
            "bare": median_run(bares), "bare_loaded": median_run(loaded), "no_pipelines": median_run(bare_crawls), "repeat": repeat,
            "spread": {name: [round(run["steady_reactor_cpu"] / max(run["steady_pages"], 1) * 1000, 2) for run in runs]
                       for name, runs in (("crawl", crawls), ("crawl without item pipelines", bare_crawls),
                                          ("bare", bares), ("bare under load", loaded))}}


def verdict(holds: bool) -> str:
    return "holds" if holds else "FAILS"


def report(r: dict) -> int:
    p, b = r["project"], r["bare"]
    pages = r["fetched"]
    per_report = pages / r["reports_found"] if r["reports_found"] else float("inf")
    cpu_ratio = (p["cpu"] / pages) / (b["cpu"] / r["bare_fetched"])
    reactor_ratio = (p["reactor_cpu"] / pages) / (b["reactor_cpu"] / r["bare_fetched"])

    def steady(run, key):
        return run[f"steady_{key}"] / max(run["steady_pages"], 1)
    steady_ratio = steady(p, "reactor_cpu") / steady(b, "reactor_cpu")
    loaded_ratio = steady(p, "reactor_cpu") / steady(r["bare_loaded"], "reactor_cpu")
    steady_process_ratio = steady(p, "cpu") / steady(b, "cpu")
    throughput, bare_throughput = pages / p["wall"], r["bare_fetched"] / b["wall"]
    rows = [
        ("pages fetched per report found", f"{per_report:.2f}", f"<= {TARGET_PAGES_PER_REPORT:g}", per_report <= TARGET_PAGES_PER_REPORT),
        ("reports found / expected", f"{r['reports_found']} / {r['reports_expected']}", "all",
         r["reports_found"] == r["reports_expected"]),
        ("steady reactor CPU per page (ms), crawl / bare", f"{steady(p, 'reactor_cpu') * 1000:.2f} / {steady(b, 'reactor_cpu') * 1000:.2f}",
         "", None),
        (f"steady reactor CPU ratio (after {WARM_UP_PAGES} pages)", f"{steady_ratio:.2f}x", f"<= {TARGET_CPU_RATIO:g}x",
         steady_ratio <= TARGET_CPU_RATIO if p["steady_pages"] >= STEADY_PAGES_NEEDED else None),
        ("steady reactor CPU per page (ms), bare under parse load", f"{steady(r['bare_loaded'], 'reactor_cpu') * 1000:.2f}", "", None),
        ("steady reactor CPU ratio, same load (crawl's own cost)", f"{loaded_ratio:.2f}x", "", None),
        ("steady reactor CPU per page (ms), crawl without item pipelines", f"{steady(r['no_pipelines'], 'reactor_cpu') * 1000:.2f}", "", None),
        ("steady reactor CPU ratio without them (spider's decisions)",
         f"{steady(r['no_pipelines'], 'reactor_cpu') / steady(b, 'reactor_cpu'):.2f}x", "", None),
        ("steady process CPU ratio (all threads)", f"{steady_process_ratio:.2f}x", "", None),
        ("reactor thread CPU per page (ms), crawl / bare",
         f"{p['reactor_cpu'] / pages * 1000:.2f} / {b['reactor_cpu'] / r['bare_fetched'] * 1000:.2f}", "", None),
        ("reactor CPU ratio, whole crawl", f"{reactor_ratio:.2f}x", "", None),
        ("process CPU per page (ms), crawl / bare", f"{p['cpu'] / pages * 1000:.2f} / {b['cpu'] / r['bare_fetched'] * 1000:.2f}", "", None),
        ("process CPU ratio, whole crawl", f"{cpu_ratio:.2f}x", "", None),
        ("throughput (pages/s), crawl / bare", f"{throughput:.0f} / {bare_throughput:.0f}", "", None),
        ("throughput ratio", f"{throughput / bare_throughput:.2f}", f">= {TARGET_THROUGHPUT_RATIO:g}",
         throughput / bare_throughput >= TARGET_THROUGHPUT_RATIO),
        # where the wall time goes: fetching (up to the last response) and then the parse backlog
        ("fetching done after (s) of the crawl's wall time", f"{p['fetch_wall']:.1f} of {p['wall']:.1f}", "", None),
        ("throughput until the last response, ratio", f"{pages / p['fetch_wall'] / bare_throughput:.2f}", "", None),
        ("parse workers' and page reader's CPU (s), per report (ms)",
         f"{p['children_cpu']:.1f}, {p['children_cpu'] / max(r['reports_found'], 1) * 1000:.0f}", "", None),
        ("process CPU per page with the workers' (ms), ratio",
         f"{(p['cpu'] + p['children_cpu']) / pages * 1000:.2f}, {(p['cpu'] + p['children_cpu']) / pages / (b['cpu'] / r['bare_fetched']):.2f}x",
         "", None),
        ("peak RSS of the process tree (MB), crawl / bare", f"{p['peak_rss'] / 2**20:.0f} / {b['peak_rss'] / 2**20:.0f}", "", None),
    ]
    print(f"   pages fetched: {pages} by the crawl, {r['bare_fetched']} by the bare spider (robots.txt included); server: {r['server']}")
    if p["steady_pages"] < STEADY_PAGES_NEEDED:
        print(f"   (only {p['steady_pages']} pages after the warm-up: the CPU target is judged on a bigger portal)")
    print("   steady reactor CPU per page (ms) of each run: "
          + "; ".join(f"{name} {', '.join(f'{v:.2f}' for v in values)}" for name, values in r["spread"].items()))
    if r["missed"]:
        print(f"   missed (first {len(r['missed'])}): {r['missed']}")
    failures = 0
    for label, value, target, holds in rows:
        print(f"   {label:50} {value:>16}  {target:>8}  {'' if holds is None else verdict(holds)}")
        failures += holds is False
    return failures


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="one portal of 2 000 pages")
    ap.add_argument("--sizes", default="2000,20000")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--keep", action="store_true", help="keep the logs, databases and URL lists")
    ap.add_argument("--repeat", type=int, default=3, help="runs of the crawl and of each baseline (the median counts)")
    ap.add_argument("--profile", metavar="DIR", type=Path,
                    help="cProfile the crawl's reactor thread into DIR/reactor-SIZE.prof (the figures then include the profiler's cost)")
    args = ap.parse_args(argv)
    sizes = [2000] if args.quick else [int(s) for s in args.sizes.split(",")]
    failures = 0
    results = []
    tmp = tempfile.mkdtemp(prefix="crawl-bench-")
    try:
        for size in sizes:
            workdir = Path(tmp) / str(size)
            workdir.mkdir()
            profile = None
            if args.profile:
                args.profile.mkdir(parents=True, exist_ok=True)
                profile = args.profile.resolve() / f"reactor-{size}.prof"
            results.append(bench_size(size, args.seed, workdir, profile, max(args.repeat, 1)))
            failures += report(results[-1])
    finally:
        if args.keep:
            print(f"logs, databases and URL lists kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nportal bench: {'all targets hold' if not failures else f'{failures} target(s) fail'}")
    return 1 if failures else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3:])
    elif sys.argv[1:2] == ["--serve"]:
        serve_twisted(*sys.argv[2:4], sys.argv[4])
    else:
        sys.exit(main())
