"""Scrapy settings: everything about how nianbao crawls, in one place.

Override any of them per run with `scrapy crawl reports -s NAME=VALUE`.
"""
import os

from crawler import __version__
from crawler.limits import (  # noqa: F401
                            DOCX_MAX_UNCOMPRESSED_MB,
                            DOWNLOAD_MAX_HEADER_BYTES,
                            PAGE_MAX_BYTES,
                            PAGE_MAX_LINKS,
                            PAGE_READ_TIMEOUT,
                            PARSE_MEMORY_MB,
                            PARSE_TIMEOUT,
                            PDF_MAX_INFLATED_MB,
                            PDF_MAX_PAGES,
                            TABLE_MAX_CELLS,
)

BOT_NAME = "nianbao"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# Identify ourselves; government sites block anonymous bots first.
USER_AGENT = f"nianbao/{__version__} (+https://github.com/nianbao/nianbao; research crawler of 政府信息公开工作年度报告)"
ROBOTSTXT_OBEY = True

# Politeness: a few requests per site at a time, adapted to how fast the site answers.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.5
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 50 * 1024 * 1024     # PDF attachments can be large; pages never are
DOWNLOAD_WARNSIZE = 20 * 1024 * 1024

# Retries with exponential backoff on server errors, throttling and timeouts.
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = 1.0                # seconds; doubled on every further retry
RETRY_BACKOFF_MAX = 60.0
DOWNLOADER_MIDDLEWARES = {
    "crawler.guard.CrawlGuardMiddleware": 40,        # before Scrapy's host-only offsite filter (50)
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.incremental.CachedRobotsTxtMiddleware": 100,
    "crawler.guard.CharsetMiddleware": 585,          # between decompression (590) and meta refresh (580)
}

# Incremental re-crawls and resuming (crawler.incremental, crawler.runs): robots.txt is reused for
# a day; with -s JOBDIR=DIR a crawl started again after a crash continues the same run.
ROBOTSTXT_CACHE_HOURS = 24
SCHEDULER = "crawler.incremental.JournalScheduler"

# Monitors on every run (crawler.monitor, run by Spidermon): the run's status is `failed` when one fails.
MONITOR_MAX_ERRORS = {"*": 50}          # errors of one kind above this fail the run
MONITOR_SEASON_MONTHS = "1-3"           # no new report in these months fails the run
MONITOR_TODAY = ""                      # ISO date to judge the season by (tests); empty = today

# Focused crawl: best links first, a page budget and a depth limit per portal.
DEPTH_PRIORITY = 0
PORTAL_MAX_PAGES = 300
PORTAL_MAX_DEPTH = 8
PORTALS_FILE = "crawler/portals.csv"
REPORT_YEARS = "2019-2030"

# Static host table in front of DNS (used by the demo portals' .test names).
TWISTED_DNS_RESOLVER = "crawler.resolver.StaticHostsResolver"
RESOLVE = ""
RESOLVE_FILE = ""

# Non-public addresses (loopback, private, link-local, metadata, ULA) a crawl may still reach:
# comma-separated addresses or networks, e.g. "127.0.0.1" or "10.20.0.0/16". Loopback start URLs
# (http://127.0.0.1:8000/, http://localhost/) are allowed without it; anything else is refused.
ALLOW_PRIVATE_ADDRESSES = ""

ITEM_PIPELINES = {
    "pipelines.ParsePipeline": 300,
    "pipelines.StorePipeline": 800,
}
REPORTS_DB = "output/reports.db"
# A page yields a few requests and at most a report: Scrapy starts this many tasks for each
# page's output, so its default of 100 only costs time.
CONCURRENT_ITEMS = 8
# Responses whose items wait for a parse count against this many bytes; past it Scrapy stops
# fetching. Its default (5 MB) is two or three PDF reports in the parse queue: fetching would wait
# on parsing. This bounds the memory of the parse backlog instead.
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 64 * 1024 * 1024
# Processes parsing off the reactor: one per core (at most 8; each holds the parser's dictionaries,
# about 100 MB), started when the first report arrives; 0 = a thread instead.
PARSE_WORKERS = min(os.cpu_count() or 1, 8)

# The garbage collector in the crawl process: what start-up made (modules, settings, the parser's
# tables) is frozen when the crawl starts, so its passes no longer walk it, and the young
# generation is collected every GC_THRESHOLD allocations (Python's default, 700, means a pass
# every few callbacks: a page makes thousands of short-lived objects).
GC_THRESHOLD = 10000

EXTENSIONS = {
    "spidermon.contrib.scrapy.extensions.Spidermon": 400,     # before the summary: it prints the verdict
    "crawler.progress.CrawlProgress": 500,
}
SPIDERMON_ENABLED = True
SPIDERMON_SPIDER_CLOSE_MONITORS = ("crawler.monitor.RunMonitorSuite",)
PROGRESS_INTERVAL = 10                  # seconds between progress lines

LOG_LEVEL = "INFO"
LOG_FORMATTER = "crawler.progress.QuietLogFormatter"
TELNETCONSOLE_ENABLED = False
# Scrapy's check of each callback's source for `return value` in a generator (inspect + ast of the
# whole spider module, in the middle of the crawl): a developer's warning, which ruff and the tests cover.
WARN_ON_GENERATOR_RETURN_VALUE = False
FEED_EXPORT_ENCODING = "utf-8"

# JavaScript-only list pages: rendered in headless Chromium through scrapy-playwright, the last
# resort when a page looks empty without JavaScript and no platform adapter reads it.
RENDER_JS = "auto"                      # auto: when a page needs it and a browser is found; off: never
RENDER_MAX_PAGES = 3                    # rendered pages per portal (each also spends PORTAL_MAX_PAGES)
RENDER_TIMEOUT = 20                     # seconds for a page to load and settle
BROWSER_PATH = "/usr/bin/chromium"      # the system Chromium (Debian); never downloaded
