"""The crawl's guard at the downloader: every request, redirects, meta refreshes and robots.txt
included, stays on its portal's hosts, scheme and port, spends the portal's page budget and
reaches only allowed addresses (crawler.scope); responses get a usable charset and a bounded
header section. A refusal is counted by reason in the stats (nianbao/refused/<reason>)."""
from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.core.downloader.handlers import http11 as _http11
from scrapy.exceptions import IgnoreRequest
from scrapy.http import TextResponse
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.web import _newclient

from . import limits
from .decode import decode_bytes
from .resolver import RefusedAddress
from .scope import AddressPolicy, is_ip_literal, scope_refusal

_PARSER_ATTRIBUTE = "_LenientHTTPClientParser"
_ScrapyParser = getattr(_http11, _PARSER_ATTRIBUTE)


class RefusedRequest(IgnoreRequest):
    """A request the guard would not send."""

    def __init__(self, reason: str, url: str):
        super().__init__(f"refused ({reason}): {url}")
        self.reason = reason


class CrawlGuardMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler
        _HeaderLimitedParser.max_bytes = crawler.settings.getint("DOWNLOAD_MAX_HEADER_BYTES", limits.DOWNLOAD_MAX_HEADER_BYTES)
        _HeaderLimitedParser.stats = crawler.stats
        # Twisted has a limit per header line but none on the header section. Scrapy's HTTP/1.1
        # handler gives each response parser the class named by this module attribute: the one
        # place to add a limit.
        setattr(_http11, _PARSER_ATTRIBUTE, _HeaderLimitedParser)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def policy(self, spider) -> AddressPolicy:
        policy = getattr(spider, "address_policy", None)
        return policy or AddressPolicy.for_crawl(self.crawler.settings.get("ALLOW_PRIVATE_ADDRESSES"))

    async def process_request(self, request, spider=None):
        spider = self.crawler.spider
        reason = self._scope(request, spider) or self._budget(request, spider) or await self._address(request, spider)
        if reason:
            self.crawler.stats.inc_value(f"nianbao/refused/{reason}")
            raise RefusedRequest(reason, request.url)
        return None

    @staticmethod
    def _scope(request, spider) -> str | None:
        portals = getattr(spider, "portals", None)
        if not portals:
            return None
        index = request.meta.get("portal")
        if index is not None:
            return scope_refusal(request.url, portals[index].start_url, portals[index].domains)
        # robots.txt and its redirects belong to no one portal: any portal's scope will do
        reasons = [scope_refusal(request.url, p.start_url, p.domains) for p in portals]
        return None if None in reasons else reasons[0]

    @staticmethod
    def _budget(request, spider) -> str | None:
        """A redirect hop is a page like any other: it spends the portal's budget."""
        index = request.meta.get("portal")
        if index is None or not request.meta.get("redirect_times") or request.meta.get("budget_spent_on") == request.url:
            return None
        request.meta["budget_spent_on"] = request.url       # a retry of this hop is not another page
        if hasattr(spider, "spend_page") and not spider.spend_page(index):
            return "redirect_budget"
        return None

    async def _address(self, request, spider) -> str | None:
        host = urlsplit(request.url).hostname or ""
        policy = self.policy(spider)
        if is_ip_literal(host):
            return policy.refusal(host)
        from twisted.internet import reactor
        try:
            address = await maybe_deferred_to_future(reactor.resolve(host))
        except RefusedAddress as exc:
            return exc.reason
        except Exception:       # not resolvable: the download fails and says so
            return None
        return policy.refusal(address)


class CharsetMiddleware:
    """Runs after decompression and before Scrapy's meta-refresh and redirect middlewares."""

    def process_response(self, request, response, spider=None):
        """A charset Python cannot decode with (charset=undefined, punycode) would make Scrapy's
        own middlewares fail on response.text and lose the page: use the one decode finds."""
        if isinstance(response, TextResponse):
            try:
                _ = response.text       # decoded (and cached) as Scrapy's own middlewares will
            except (UnicodeError, LookupError):
                ctype = response.headers.get("Content-Type", b"").decode("latin-1")
                return response.replace(encoding=decode_bytes(response.body, ctype).encoding)
        return response


class _HeaderLimitedParser(_ScrapyParser):
    """Drops the connection once the status line and headers pass max_bytes."""
    max_bytes = limits.DOWNLOAD_MAX_HEADER_BYTES
    stats = None
    _header_bytes = 0

    def lineReceived(self, line):
        if self.state in (_newclient.STATUS, _newclient.HEADER):
            if self._header_bytes > self.max_bytes:
                return          # already hanging up
            self._header_bytes += len(line) + 2
            if self._header_bytes > self.max_bytes:
                if self.stats is not None:
                    self.stats.inc_value("nianbao/refused/header_limit")
                self.transport.loseConnection()
                return
        super().lineReceived(line)
