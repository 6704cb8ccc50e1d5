"""A progress line while crawling and a summary when the crawl ends."""
from __future__ import annotations

import sys

from scrapy import signals
from scrapy.logformatter import LogFormatter
from twisted.internet import task


def _counts(stats: dict, prefix: str) -> dict[str, int]:
    return {k[len(prefix):]: v for k, v in sorted(stats.items()) if k.startswith(prefix) and v}


def format_crawl_summary(stats: dict) -> str:
    pages = stats.get("nianbao/pages_fetched", 0)
    stored = stats.get("nianbao/reports_stored", 0)
    reports = stats.get("nianbao/reports_in_db", 0)
    errors = _counts(stats, "nianbao/errors/")
    flags = _counts(stats, "nianbao/flags/")
    parse = _counts(stats, "nianbao/parse/")
    refused = _counts(stats, "nianbao/refused/")
    limited = _counts(stats, "nianbao/limited/")
    found = stats.get("nianbao/reports_found", 0)
    if stats.get("nianbao/config_error"):
        return f"nianbao: nothing crawled: {stats['nianbao/config_error']}"
    lines = [
        "nianbao crawl summary",
        f"  portals                {stats.get('nianbao/portals', 0)}",
        f"  pages fetched          {pages}   (robots.txt: {stats.get('robotstxt/request_count', 0)} more; "
        f"off-domain links dropped: {stats.get('nianbao/offsite_links_dropped', 0)}; robots.txt forbade: {stats.get('robotstxt/forbidden', 0)})",
        "  requests by kind       " + (", ".join(f"{k} {v}" for k, v in _counts(stats, "nianbao/requests/").items()) or "none"),
        "  list platforms         " + (", ".join(f"{k} {v}" for k, v in _counts(stats, "nianbao/platforms/").items()) or "none")
        + " (pages recognised)" + (f"; {stats['nianbao/lists_empty']} list answer(s) empty" if stats.get("nianbao/lists_empty") else ""),
        *_rendering(stats),
        f"  report candidates      {stats.get('nianbao/candidates', 0)}",
        "  parsed                 " + (", ".join(f"{k} {v}" for k, v in parse.items()) or "nothing"),
        f"  reports found          {found} agency-years ({stored} versions stored; "
        f"{stats.get('nianbao/reports_new', 0)} new to the database, which now holds {reports})",
        f"  pages per report       {pages / found:.1f}" if found else "  pages per report       - (no report found)",
        _ocr_line(stats),
        "  flags by code          " + (", ".join(f"{k} {v}" for k, v in flags.items()) or "none"),
        "  dataset checks         " + (", ".join(f"{k} {v}" for k, v in _counts(stats, "nianbao/dataset/").items()) or "none"),
        "  errors by kind         " + (", ".join(f"{k} {v}" for k, v in errors.items()) or "none"),
        "  refused by reason      " + (", ".join(f"{k} {v}" for k, v in refused.items()) or "none"),
        "  limits reached         " + (", ".join(f"{k} {v}" for k, v in limited.items()) or "none"),
        f"  database               {stats.get('nianbao/db', '-')}",
        f"  finished               {stats.get('finish_reason', '?')}",
    ]
    return "\n".join(lines + _run_lines(stats))


def _run_lines(stats: dict) -> list[str]:
    """What this run found that the last one had not, how little it had to download, and the monitors."""
    if "nianbao/run_id" not in stats:
        return []
    new, changed = stats.get("nianbao/new_reports") or [], stats.get("nianbao/changed_reports") or []
    since = f"since the last run ({stats['nianbao/previous_run'][:16].replace('T', ' ')})" if stats.get("nianbao/previous_run") \
        else "first run on this database"
    lines = [
        f"  incremental            {stats.get('nianbao/conditional_requests', 0)} conditional requests: "
        f"{stats.get('nianbao/not_modified', 0)} not modified, {stats.get('nianbao/unchanged', 0)} same bytes; "
        f"{stats.get('nianbao/skipped_known', 0)} known reports not downloaded again, "
        f"{stats.get('nianbao/replayed', 0)} known pages walked from the store",
        f"  new {since}: {len(new)} new report(s)" + (": " + ", ".join(new[:10]) + (" …" if len(new) > 10 else "") if new else "")
        + f"; {len(changed)} changed" + (": " + ", ".join(changed[:10]) if changed else ""),
    ]
    results = stats.get("nianbao/monitor") or []
    failed = [r for r in results if not r["ok"]]
    status = "failed" if failed and stats.get("finish_reason", "finished") == "finished" else stats.get("finish_reason", "?")
    run = f"  run                    #{stats['nianbao/run_id']}" + (" (resumed)" if stats.get("nianbao/resumed_run") else "")
    lines.append(f"{run}: {status}" + ("".join(f"\n    monitor {r['monitor']} FAILED: {r['reason']}" for r in failed)
                                        if failed else "; monitors ok" if results else ""))
    return lines


def _rendering(stats: dict) -> list[str]:
    """What the browser did, shown only when some page needed it."""
    rendered = stats.get("nianbao/requests/rendered", 0)
    skipped = stats.get("nianbao/render/skipped", 0)
    over = stats.get("nianbao/render/budget_exhausted", 0)
    if not (rendered or skipped or over):
        return []
    line = f"  rendered in a browser  {rendered} page(s)"
    if skipped:
        line += f"; {skipped} page(s) that need JavaScript skipped: {stats.get('nianbao/render/unavailable', '?')}"
    if over:
        line += f"; {over} over RENDER_MAX_PAGES"
    return [line]


def _ocr_line(stats: dict) -> str:
    read, seconds = stats.get("nianbao/ocr/read", 0), stats.get("nianbao/ocr/seconds", 0.0)
    if not read:
        return "  OCR                    nothing read"
    return f"  OCR                    {read} scanned pages or table pictures in {seconds:.1f} s ({read / max(seconds, 1e-9):.2f} per second, in the parse workers)"


class CrawlProgress:
    def __init__(self, crawler, interval: float):
        self.crawler = crawler
        self.interval = interval
        self.loop = None

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler, crawler.settings.getfloat("PROGRESS_INTERVAL"))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider):
        if self.interval > 0:
            self.loop = task.LoopingCall(self.progress)
            self.loop.start(self.interval, now=False)

    def progress(self):
        s = self.crawler.stats.get_stats()
        errors = sum(_counts(s, "nianbao/errors/").values())
        print(f"[nianbao] {s.get('nianbao/pages_fetched', 0)} pages fetched, {s.get('nianbao/candidates', 0)} candidates, "
              f"{s.get('nianbao/reports_stored', 0)} reports stored, {errors} errors", file=sys.stderr, flush=True)

    def spider_closed(self, spider, reason):
        if self.loop and self.loop.running:
            self.loop.stop()
        stats = self.crawler.stats.get_stats()
        stats.setdefault("finish_reason", reason)
        print(format_crawl_summary(stats), flush=True)


class QuietLogFormatter(LogFormatter):
    """Items carry raw bytes: log a one-line note, never the item itself."""

    def scraped(self, item, response, spider):
        entry = super().scraped(item, response, spider)
        entry["msg"] = "stored %(url)s"
        entry["args"] = {"url": _item_url(item)}
        return entry

    def dropped(self, item, exception, response, spider):
        entry = super().dropped(item, exception, response, spider)
        entry["args"] = {**entry["args"], "item": _item_url(item)}
        return entry


def _item_url(item) -> str | None:
    """Spider items are ReportItem records, feed items the report dicts."""
    if isinstance(item, dict):
        return item.get("url")
    return getattr(item, "url", None)
