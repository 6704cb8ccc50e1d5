"""Every limit on what a hostile page or file can make expensive, in one place, with its default.

The crawl-level ones are Scrapy settings too (crawler/settings.py imports them: override with
`-s NAME=VALUE`); the parser's are read at call time from this module, so a worker process or
the CLI can set them from the same settings with `configure()`.
"""
from __future__ import annotations

# --- fetching (Scrapy settings)
DOWNLOAD_MAX_HEADER_BYTES = 64 * 1024     # status line + headers of one response
PAGE_MAX_BYTES = 4 * 1024 * 1024          # of a page read by the spider for links (the item keeps every byte)
PAGE_MAX_LINKS = 3000                     # links of one page weighed for following
PAGE_READ_TIMEOUT = 60                    # seconds the page reader may spend on one page (0 = no limit)

# --- parsing, in a worker process
PARSE_TIMEOUT = 120                       # seconds for one parse; the worker is replaced after
PARSE_MEMORY_MB = 2048                    # address space of a parse worker (RLIMIT_AS)
PDF_MAX_PAGES = 60                        # pages of a PDF read: a report is 5-40 pages
PDF_MAX_INFLATED_MB = 256                 # all FlateDecode streams of a PDF, decompressed
DOCX_MAX_UNCOMPRESSED_MB = 100            # all members of a DOCX, uncompressed
TABLE_MAX_CELLS = 20_000                  # cells of one HTML table read as a grid

PARSER_LIMITS = ("PARSE_TIMEOUT", "PARSE_MEMORY_MB", "PDF_MAX_PAGES", "PDF_MAX_INFLATED_MB",
                 "DOCX_MAX_UNCOMPRESSED_MB", "TABLE_MAX_CELLS")


def from_settings(settings) -> dict[str, int]:
    """The parser limits as a Scrapy settings object (or a dict) has them: for configure()."""
    return {name: int(settings.get(name, globals()[name])) for name in PARSER_LIMITS}


def configure(values: dict[str, int]) -> None:
    """Set the parser limits of this process (a worker, the CLI)."""
    for name, value in values.items():
        if name in PARSER_LIMITS:
            globals()[name] = int(value)
