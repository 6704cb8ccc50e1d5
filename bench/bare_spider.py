"""The baseline of bench/crawl_bench.py: a bare Scrapy spider that fetches a given list of URLs
and does nothing with them, so that only Scrapy's own cost shows.

    scrapy runspider bench/bare_spider.py -a urls=FILE
"""
from pathlib import Path

import scrapy


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls: str = "", **kwargs):
        super().__init__(**kwargs)
        self.url_list = Path(urls).read_text(encoding="utf-8").split()

    async def start(self):
        for url in self.url_list:
            yield scrapy.Request(url, callback=self.parse, dont_filter=True)

    def parse(self, response):
        return None
