"""scrapy-playwright's download handler, started on the first page to render instead of with every
crawl: most crawls render nothing and should not pay for a Playwright driver. Imported only when
crawler.render.configure() installs it, so a machine without scrapy-playwright never loads it."""
from __future__ import annotations

import asyncio

from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler


class LazyPlaywrightDownloadHandler(ScrapyPlaywrightDownloadHandler):
    def __init__(self, crawler):
        super().__init__(crawler)
        self._start_lock = asyncio.Lock()

    async def _maybe_launch_in_thread(self) -> None:
        """Connected to engine_started by the parent: start nothing yet."""

    async def _download_request(self, request, spider=None):
        async with self._start_lock:
            if getattr(self, "browser_provider", None) is None:
                await self._launch()
        return await super()._download_request(request, spider)
