"""JavaScript-only list pages, rendered in headless Chromium: the last resort of discovery.

A page is rendered only when it looks empty without JavaScript (see looks_unrendered), no
platform adapter reads it, the portal's RENDER_MAX_PAGES is not spent and a browser is at
hand. The browser is the system Chromium (BROWSER_PATH, Debian's /usr/bin/chromium) driven by
scrapy-playwright; nothing is ever downloaded for it. Without it the crawl goes on and its
summary says how many pages were left unrendered and why.
"""
from __future__ import annotations

import os
import re
import shutil
from urllib.parse import urlsplit

from .discover import title_year
from .resolver import load_hosts
from .scope import scope_refusal

# Chromium quiet and alone: no first-run work, no calls home, no GPU.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                  "--disable-default-apps", "--disable-extensions", "--dns-prefetch-disable")
# What a list does not need: never fetched by the rendered page.
SKIPPED_RESOURCES = ("image", "media", "font", "stylesheet", "websocket", "manifest", "other")


def browser_path(settings) -> str | None:
    """The Chromium to drive, or None."""
    path = settings.get("BROWSER_PATH") or "chromium"
    found = path if os.path.isabs(path) else shutil.which(path)
    return found if found and os.access(found, os.X_OK) else None


def unavailable_reason(settings) -> str | None:
    """Why no page can be rendered in this run, or None when rendering works."""
    if str(settings.get("RENDER_JS", "auto")).lower() in ("off", "0", "false", "no"):
        return "rendering is off (RENDER_JS=off)"
    if settings.getint("RENDER_MAX_PAGES", 3) < 1:
        return "RENDER_MAX_PAGES is 0"
    if not browser_path(settings):
        return f"no Chromium at {settings.get('BROWSER_PATH') or 'chromium'} (BROWSER_PATH)"
    try:
        import scrapy_playwright  # noqa: F401
    except ImportError:
        return "scrapy-playwright is not installed"
    return None


def configure(settings) -> None:
    """Hand http(s) downloads to scrapy-playwright when pages can be rendered (ordinary requests
    still go through Scrapy's own downloader); otherwise record why they cannot."""
    reason = unavailable_reason(settings)
    settings.set("RENDER_UNAVAILABLE", reason or "", priority="spider")
    if reason:
        return
    handler = "crawler.render_handler.LazyPlaywrightDownloadHandler"
    settings.set("DOWNLOAD_HANDLERS", {**settings.getdict("DOWNLOAD_HANDLERS"), "http": handler, "https": handler},
                 priority="spider")
    rules = ", ".join(f"MAP {name} {ip}" for name, ip in load_hosts(settings.get("RESOLVE"), settings.get("RESOLVE_FILE")).items())
    args = [*CHROMIUM_FLAGS] + ([f"--host-resolver-rules={rules}"] if rules else [])
    # Playwright starts Chromium with a new temporary profile (user-data-dir) every time.
    settings.set("PLAYWRIGHT_BROWSER_TYPE", "chromium", priority="spider")
    settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", {"executable_path": browser_path(settings), "headless": True, "args": args},
                 priority="spider")
    settings.set("PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT", settings.getfloat("RENDER_TIMEOUT", 20) * 1000, priority="spider")
    settings.set("PLAYWRIGHT_ABORT_REQUEST", skip_resource, priority="spider")
    settings.set("PLAYWRIGHT_MAX_CONTEXTS", 1, priority="spider")


def skip_resource(request) -> bool:
    return request.resource_type in SKIPPED_RESOURCES


def render_meta(start_url: str, domains: set[str]) -> dict:
    """Request meta that renders a page; the page may fetch from the portal's own hosts, scheme
    and port only (crawler.scope)."""
    async def guard(page, request):
        async def route(route):
            url = route.request.url
            if urlsplit(url).scheme in ("http", "https") and scope_refusal(url, start_url, domains):
                await route.abort()
            else:
                await route.fallback()
        await page.route("**", route)

    return {"playwright": True, "playwright_page_init_callback": guard,
            "playwright_page_goto_kwargs": {"wait_until": "networkidle"}}


_SCRIPT = re.compile(r"<script\b(?![^>]*type\s*=\s*['\"]?text/(?:xml|template|html))[^>]*>", re.I)


def runs_scripts(html: str) -> bool:
    """The page has a script that may build its content (not a data island of XML or a template)."""
    return bool(_SCRIPT.search(html))


def looks_unrendered(scripted: bool, link_scores: list[int], fresh_scores: list[int], arrived_score: int | None,
                     titles: tuple[str, ...] = ()) -> bool:
    """A page whose list only a browser can build: it runs scripts and gives nothing to go on. Reached
    as a report list (a link scored ≥ 80), it names no report; reached as a disclosure page (≥ 50),
    it names no report and leads nowhere new in the disclosure section; a start page leads nowhere new.
    `fresh_scores` are the scores of its links not fetched yet. A page whose title (or link text)
    names a year is an article (a report, its 解读), not a list."""
    if not scripted or any(title_year(t) for t in titles) or any(score >= 90 for score in link_scores):
        return False
    if arrived_score is None:
        return not any(score > 0 for score in fresh_scores)
    if arrived_score >= 80:
        return True
    return arrived_score >= 50 and not any(score >= 50 for score in fresh_scores)
