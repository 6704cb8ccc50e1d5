"""Where a crawl may go, as pure functions: a portal's own hosts on its own scheme and port, and
only public addresses. The spider, a downloader middleware and the resolver apply them."""
from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from urllib.parse import urlsplit

from .discover import host_allowed

DEFAULT_PORTS = {"http": 80, "https": 443}

# Addresses a portal name must never lead to (server-side request forgery): (network, kind).
# The first match names the kind; anything else that is not globally routable is "reserved".
NON_PUBLIC_NETWORKS = tuple((ipaddress.ip_network(net), kind) for net, kind in (
    ("169.254.169.254/32", "metadata"), ("fd00:ec2::254/128", "metadata"), ("100.100.100.200/32", "metadata"),
    ("127.0.0.0/8", "loopback"), ("::1/128", "loopback"),
    ("0.0.0.0/8", "unspecified"), ("::/128", "unspecified"),
    ("10.0.0.0/8", "private"), ("172.16.0.0/12", "private"), ("192.168.0.0/16", "private"),
    ("100.64.0.0/10", "shared"),
    ("169.254.0.0/16", "link_local"), ("fe80::/10", "link_local"),
    ("fc00::/7", "unique_local"),
    ("224.0.0.0/4", "multicast"), ("ff00::/8", "multicast"),
))


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d), 6to4 or NAT64 (64:ff9b::/96) address."""
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip in ipaddress.ip_network("64:ff9b::/96"):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def classify_address(address: str) -> str | None:
    """None for a public address; else its kind: metadata, loopback, private, link_local,
    unique_local, shared, unspecified, multicast or reserved. An unparsable address is "invalid"."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0].strip("[]"))
    except ValueError:
        return "invalid"
    if ip.version == 6 and (inner := _embedded_ipv4(ip)) is not None:
        ip = inner
    for network, kind in NON_PUBLIC_NETWORKS:
        if ip.version == network.version and ip in network:
            return kind
    return None if ip.is_global else "reserved"


def is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


class AddressPolicy:
    """Which non-public addresses a crawl may still reach: those in ALLOW_PRIVATE_ADDRESSES
    (addresses or networks), and the loopback addresses its start URLs name themselves
    (http://127.0.0.1:8000/, http://localhost/): a user's own explicit local server."""

    def __init__(self, allowed=()):
        self.allowed = tuple(ipaddress.ip_network(a, strict=False) for a in allowed)

    @classmethod
    def for_crawl(cls, setting: str | list | None, start_urls=()) -> AddressPolicy:
        allowed = [a.strip() for a in (setting.split(",") if isinstance(setting, str) else setting or ()) if a.strip()]
        for url in start_urls:
            host = (urlsplit(url).hostname or "").lower()
            if host == "localhost":
                allowed += ["127.0.0.1", "::1"]
            elif is_ip_literal(host) and classify_address(host) == "loopback":
                allowed.append(host.strip("[]"))
        return cls(allowed)

    def refusal(self, address: str) -> str | None:
        """None when the address may be reached; else why not ("loopback_address", ...)."""
        kind = classify_address(address)
        if kind is None:
            return None
        if kind != "invalid":
            ip = ipaddress.ip_address(address.split("%", 1)[0].strip("[]"))
            if any(ip.version == net.version and ip in net for net in self.allowed):
                return None
        return f"{kind}_address"


def origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or DEFAULT_PORTS.get(scheme)
    except ValueError:          # a port out of range or not a number
        port = None
    return scheme, (parts.hostname or "").lower(), port


def allowed_origins(start_url: str) -> set[tuple[str, int]]:
    """A portal on a standard port may switch between http and https (most redirect one to the
    other); a portal on its own port stays on that scheme and port."""
    scheme, _, port = origin(start_url)
    if port == DEFAULT_PORTS.get(scheme):
        return {(s, p) for s, p in DEFAULT_PORTS.items()}
    return {(scheme, port)}


_ORIGIN_PART = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*")


def scope_refusal(url: str, start_url: str, domains: frozenset[str]) -> str | None:
    """None when `url` belongs to the portal (one of its domains or their subdomains, on an
    allowed scheme and port); else "offsite_host", "offsite_port" or "offsite_scheme"."""
    part = _ORIGIN_PART.match(url)      # the answer depends on scheme://host:port alone: asked once each
    return _origin_refusal(part.group() if part else url, start_url, frozenset(domains))


@lru_cache(maxsize=4096)
def _origin_refusal(url: str, start_url: str, domains: frozenset[str]) -> str | None:
    scheme, host, port = origin(url)
    if scheme not in DEFAULT_PORTS:
        return "offsite_scheme"
    if not host_allowed(host, domains):
        return "offsite_host"
    origins = allowed_origins(start_url)
    if (scheme, port) in origins:
        return None
    return "offsite_port" if scheme in {s for s, _ in origins} else "offsite_scheme"
