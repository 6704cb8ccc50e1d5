"""A DNS resolver with a static hosts table in front (curl's --resolve, for Scrapy).

The demo portals use reserved `.test` host names that no DNS knows; `-s RESOLVE_FILE=demo/hosts.txt`
sends them to 127.0.0.1 while every other name resolves as usual. Also handy for staging mirrors.
"""
from __future__ import annotations

from pathlib import Path

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer


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
    def __init__(self, reactor, cache_size, timeout, hosts: dict[str, str]):
        super().__init__(reactor, cache_size, timeout)
        self.hosts = hosts

    @classmethod
    def from_crawler(cls, crawler, reactor):
        settings = crawler.settings
        cache_size = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        hosts = load_hosts(settings.get("RESOLVE"), settings.get("RESOLVE_FILE"))
        return cls(reactor, cache_size, settings.getfloat("DNS_TIMEOUT"), hosts)

    def getHostByName(self, name: str, timeout=()):
        if name.lower() in self.hosts:
            return defer.succeed(self.hosts[name.lower()])
        return super().getHostByName(name, timeout)
