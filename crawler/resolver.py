"""A DNS resolver with a static hosts table in front (curl's --resolve, for Scrapy).

The demo portals use reserved `.test` host names that no DNS knows; `-s RESOLVE_FILE=demo/hosts.txt`
sends them to 127.0.0.1 while every other name resolves as usual. Also handy for staging mirrors.

It is also the last guard before a connection: a name that resolves to a private, loopback,
link-local or metadata address is refused here (crawler.scope.AddressPolicy), whatever said so,
DNS or the hosts table. crawler.guard refuses such requests first, with a reason in the stats;
this check catches a name whose address changed between the two (DNS rebinding).
"""
from __future__ import annotations

from pathlib import Path

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer
from twisted.internet.error import DNSLookupError

from .scope import AddressPolicy, is_ip_literal


class RefusedAddress(DNSLookupError):
    """The name resolves to an address the crawl may not reach."""

    def __init__(self, name: str, address: str, reason: str):
        super().__init__(f"{name} resolves to {address} ({reason}): refused before connecting")
        self.reason = reason


def load_hosts(spec: str | dict | None = None, path: str | None = None) -> dict[str, str]:
    """Hosts from a dict, a 'name=ip,name=ip' string and/or a hosts-style file ('ip name name')."""
    hosts: dict[str, str] = {}
    if isinstance(spec, dict):
        hosts.update({k.lower(): v for k, v in spec.items()})
    elif spec:
        for pair in str(spec).split(","):
            if "=" in pair:
                name, ip = pair.split("=", 1)
                hosts[name.strip().lower()] = ip.strip()
    if path:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            fields = line.split("#", 1)[0].split()
            for name in fields[1:]:
                hosts[name.lower()] = fields[0]
    return hosts


class StaticHostsResolver(CachingThreadedResolver):
    def __init__(self, reactor, cache_size, timeout, hosts: dict[str, str], crawler=None):
        super().__init__(reactor, cache_size, timeout)
        self.hosts = hosts
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler, reactor):
        settings = crawler.settings
        cache_size = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        hosts = load_hosts(settings.get("RESOLVE"), settings.get("RESOLVE_FILE"))
        return cls(reactor, cache_size, settings.getfloat("DNS_TIMEOUT"), hosts, crawler)

    def policy(self) -> AddressPolicy:
        """The running spider's policy (it knows the start URLs); the setting alone before there is
        one. Scrapy builds the resolver with the CrawlerProcess, whose crawlers hold the spider."""
        crawlers = [*getattr(self.crawler, "crawlers", ()), self.crawler]
        for spider in (getattr(c, "spider", None) for c in crawlers):
            if getattr(spider, "address_policy", None) is not None:
                return spider.address_policy
        return AddressPolicy.for_crawl(self.crawler.settings.get("ALLOW_PRIVATE_ADDRESSES") if self.crawler else "")

    def getHostByName(self, name: str, timeout=()):
        if name.lower() in self.hosts:
            resolved = defer.succeed(self.hosts[name.lower()])
        else:
            resolved = super().getHostByName(name, timeout)
        return resolved.addCallback(self._check, name)

    def _check(self, address: str, name: str) -> str:
        if is_ip_literal(name):
            return address      # not a resolution: crawler.guard judges addresses written in URLs
        reason = self.policy().refusal(address)
        if reason:
            raise RefusedAddress(name, address, reason)
        return address
