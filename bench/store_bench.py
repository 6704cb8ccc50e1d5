"""The store's cost as the database grows: write and `reparse` cost per report at 300 and at
10 000 reports, and every canned query, configured facet and dashboard chart at 10 000 reports.

    python bench/store_bench.py [--quick]

The reports are real parses of the bundled report pages, stored under many agency names and
years (as a national crawl would), each through `store.store_fetch`, one transaction per item.
`reparse` is timed with the parser replaced by a lookup of the stored parse, so that only the
store's own cost is measured. Before the queries, the large database gets what a crawled one
has besides reports: the checks across reports (run by `reparse`), reviews of one flag in ten and
a few hundred crawl runs. Targets: the cost per report at the large size within 20 % of the cost
at the small size; every canned query, facet and dashboard chart under 100 ms (datasette stops a
query at 1 s). The summary table agency_series' own part of a write is printed beside.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

from parse_bench import inputs  # bench/ is this script's own directory

from crawler import datasetstore, store
from crawler.items import ReportItem
from crawler.jobs import parse_job, reparse
from crawler.review import set_review
from crawler.runs import finish_run, open_run
from crawler.schema import ParseOutcome

ROOT = Path(__file__).resolve().parents[1]

QUERY_LIMIT_MS = 100
ROUNDS, BATCH = 5, 40
GROWTH_LIMIT = 1.20
# one sample call of each canned query's parameters, and the agency dashboard's agency (the report
# page opens it for one agency; the overview dashboard is timed unfiltered, its worst case)
QUERY_PARAMETERS = {"agency": "教育", "year": "2021", "agency_key": "第0号县教育局"}
DASHBOARD_FILTERS = {"agency_key"}
REVIEW_EVERY, CRAWL_RUNS = 10, 300
FACET_SIZE = 30     # datasette's default_facet_size
# datasette reads at most max_returned_rows + 1 rows of a canned or dashboard query (the default;
# the project's metadata leaves it at 1 000): the rest is never fetched
ROWS_READ = 1000 + 1


def real_parses() -> list[tuple[bytes, dict]]:
    parses = []
    for body in inputs():
        outcome = parse_job(body, "http://bench.gov.test/report.html", "text/html; charset=utf-8")
        if outcome.is_report:
            parses.append((body, outcome.report))
    return parses


def make_item(n: int, parses) -> tuple[ReportItem, ParseOutcome]:
    """Report n: a real parse under agency n // 5 and one of five years, with its own bytes."""
    body, result = parses[n % len(parses)]
    agency = f"第{n // 5}号县教育局" if n % 3 == 0 else f"第{n // 5}号县人民政府办公室"
    year = 2019 + n % 5
    parsed = {**result, "agency": agency, "agency_key": agency, "year": year}
    url = f"http://www.county{n // 5}.gov.test/xxgk/ndbg/{year}/art_{n}.html"
    item = ReportItem(url=url, body=body + f"<!-- {n} -->".encode(), content_type="text/html; charset=utf-8",
                      headers={"Content-Type": "text/html; charset=utf-8"}, fetched_at="2026-11-26T00:00:00+00:00",
                      title=parsed.get("title") or "",
                      portal={"agency": f"第{n // 5}号县", "region_code": f"{340000 + n // 5}", "level": "county"})
    return item, ParseOutcome("report", report=parsed)


def write_reports(db, start: int, stop: int, parses) -> float:
    """CPU seconds per report for writing reports start..stop."""
    items = [make_item(n, parses) for n in range(start, stop)]
    began = time.process_time()
    for item, outcome in items:
        store.store_fetch(db, item, outcome)
    return (time.process_time() - began) / (stop - start)


def reparse_cost(db) -> float:
    """Seconds per report for `reparse` with the parser replaced by the stored parse."""
    stored = {row["url"]: json.loads(row["parsed"]) for row in db.query("SELECT url, parsed FROM sources WHERE parsed IS NOT NULL")}

    def lookup(body, url, content_type=None, agency=None, parts=()):
        return ParseOutcome("report", report=stored[url])

    began = time.process_time()
    counts = reparse(db, parse=lookup)
    return (time.process_time() - began) / max(counts.get("reports", 1), 1)


def series_cost(db, report_ids: list[int]) -> float:
    """CPU seconds per report of refreshing agency_series' row alone (part of every write)."""
    began = time.process_time()
    with store.write_transaction(db):
        for report_id in report_ids:
            datasetstore.refresh_series(db, report_id)
    return (time.process_time() - began) / len(report_ids)


def add_reviews_and_runs(db) -> None:
    """Reviews of one flag in ten (confirmed or dismissed) and CRAWL_RUNS finished crawl runs."""
    flag_ids = [row["id"] for row in db.query(f"SELECT id FROM flags WHERE id % {REVIEW_EVERY} = 0")]
    for n, flag_id in enumerate(flag_ids):
        set_review(db, flag_id, "confirmed" if n % 2 else "dismissed", note="bench", reviewer="bench")
    for n in range(CRAWL_RUNS):
        run_id, _ = open_run(db, {"portals": "portals.csv"})
        finish_run(db, run_id, {"item_scraped_count": n}, [], [], "finished")
    store.optimize(db)      # as the end of a crawl does


def _metadata() -> dict:
    return json.loads((ROOT / "crawler" / "datasette.json").read_text(encoding="utf-8"))


def canned_queries() -> dict[str, str]:
    metadata = _metadata()
    # a writable query (review_flag) changes the database: not a browsing query
    return {name: q["sql"] for name, q in metadata["databases"]["reports"]["queries"].items() if not q.get("write")}


def facet_queries() -> dict[str, str]:
    """The SQL datasette runs for each configured facet of each table's unfiltered page."""
    metadata = _metadata()
    found = {}
    for table, conf in metadata["databases"]["reports"]["tables"].items():
        for facet in conf.get("facets", []):
            if isinstance(facet, dict):     # array facet over a JSON list column
                column = facet["array"]
                found[f"{table}.{column}[]"] = (
                    f"select j.value as value, count(*) as count from (select * from [{table}]) "
                    f"join json_each([{column}]) j group by j.value order by count desc, value limit {FACET_SIZE + 1}")
            else:
                found[f"{table}.{facet}"] = (
                    f"select [{facet}] as value, count(*) as count from (select * from [{table}]) "
                    f"where [{facet}] is not null group by [{facet}] order by count desc, value limit {FACET_SIZE + 1}")
    return found


def count_queries() -> dict[str, str]:
    """The row count datasette shows on each table's page (information: no target)."""
    metadata = _metadata()
    return {table: f"select count(*) from [{table}]" for table in metadata["databases"]["reports"]["tables"]}


def dashboard_queries() -> dict[str, str]:
    """The SQL of each dashboard's charts and filter lists as datasette-dashboards runs it: an
    optional [[ ... ]] block kept when its parameters are among DASHBOARD_FILTERS, dropped otherwise."""
    def optional(block: re.Match) -> str:
        return block.group(1) if set(re.findall(r"(?<!:):(\w+)", block.group(1))) <= DASHBOARD_FILTERS else ""

    found = {}
    for dashboard, conf in _metadata()["plugins"]["datasette-dashboards"].items():
        for kind in ("filters", "charts"):
            for name, part in conf.get(kind, {}).items():
                if "query" in part:
                    found[f"{dashboard}.{name}"] = re.sub(r"\[\[(.*?)\]\]", optional, part["query"], flags=re.S)
    return found


def time_queries(path: Path, queries: dict[str, str]) -> dict[str, float]:
    """Milliseconds per query on a fresh connection (as datasette opens it: read-only, cold
    statement cache), reading the rows datasette reads: the fastest of three runs, since other
    work on a shared machine only ever slows a run down."""
    import sqlite3
    times = {}
    for name, sql in queries.items():
        best = float("inf")
        for _ in range(3):
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            params = {name: QUERY_PARAMETERS.get(name, "") for name in re.findall(r"(?<!:):(\w+)", sql)}
            began = time.perf_counter()
            conn.execute(sql, params).fetchmany(ROWS_READ)
            best = min(best, (time.perf_counter() - began) * 1000)
            conn.close()
        times[name] = best
    return times


def verdict(holds: bool) -> str:
    return "holds" if holds else "FAILS"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="2 000 reports instead of 10 000")
    ap.add_argument("--small", type=int, default=300)
    args = ap.parse_args(argv)
    large = 2000 if args.quick else 10000
    parses = real_parses()
    print(f"store bench: {len(parses)} real report parses stored as {args.small} and {large} reports", flush=True)
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        small_db = store.open_db(Path(tmp) / "small.db")
        write_reports(small_db, 0, args.small, parses)
        path = Path(tmp) / "large.db"
        large_db = store.open_db(path)
        step = max(large // 10, 1)
        for start in range(0, large, step):
            write_reports(large_db, start, min(start + step, large), parses)
            print(f"  {min(start + step, large)} reports written", flush=True)
        # Writes into both, interleaved, so that whatever else the machine does hits both alike:
        # ROUNDS x BATCH more reports each, the median of the rounds' costs.
        small_costs, large_costs = [], []
        for r in range(ROUNDS):
            small_costs.append(write_reports(small_db, args.small + r * BATCH, args.small + (r + 1) * BATCH, parses))
            large_costs.append(write_reports(large_db, large + r * BATCH, large + (r + 1) * BATCH, parses))
        write_small, write_large = sorted(small_costs)[ROUNDS // 2], sorted(large_costs)[ROUNDS // 2]
        # reparse each database twice, alternately, and take each one's cheaper run: a busy moment
        # of the machine hits one run, not the verdict
        reparse_small, reparse_large = reparse_cost(small_db), reparse_cost(large_db)
        reparse_small, reparse_large = min(reparse_small, reparse_cost(small_db)), min(reparse_large, reparse_cost(large_db))
        sample = args.small // 2
        series_small = series_cost(small_db, list(range(1, sample + 1)))
        series_large = series_cost(large_db, list(range(1, large + 1, large // sample)))
        add_reviews_and_runs(large_db)
        cells = large_db["cells"].count
        contents = {name: large_db[name].count for name in ("flags", "flag_reviews", "hierarchy_checks", "crawl_runs")}
        small_db.close()
        large_db.close()

        print(f"\n{'CPU cost per report (ms)':44} {'at ' + str(args.small):>10} {'at ' + str(large):>10} {'growth':>8}  target")
        for label, small, big in (("write", write_small, write_large),
                                  ("reparse, store part (parser replaced)", reparse_small, reparse_large)):
            growth = big / small
            failures += growth > GROWTH_LIMIT
            print(f"{label:44} {small * 1000:10.2f} {big * 1000:10.2f} {growth:7.2f}x  <= {GROWTH_LIMIT:.2f}x  {verdict(growth <= GROWTH_LIMIT)}")
        print(f"{'  of a write: agency_series (refresh_series)':44} {series_small * 1000:10.2f} {series_large * 1000:10.2f} "
              f"{series_large / series_small:7.2f}x  (information: {series_large / write_large:.0%} of a write at {large})")

        print(f"\nqueries at {large} reports ({cells} cells, " + ", ".join(f"{n} {t}" for t, n in contents.items())
              + f"), ms, fastest of three on fresh connections, target < {QUERY_LIMIT_MS} ms")
        for kind, queries in (("canned query", canned_queries()), ("facet", facet_queries()),
                              ("dashboard", dashboard_queries())):
            for name, ms in time_queries(path, queries).items():
                failures += ms >= QUERY_LIMIT_MS
                print(f"  {kind:13} {name:32} {ms:8.1f} ms  < {QUERY_LIMIT_MS} ms  {verdict(ms < QUERY_LIMIT_MS)}")
        for name, ms in time_queries(path, count_queries()).items():
            print(f"  {'row count':13} {name:32} {ms:8.1f} ms  (table page's count: information)")
    print(f"\nstore bench: {'all targets hold' if not failures else f'{failures} target(s) fail'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
