"""The list of portals to crawl and the years wanted."""
from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

from .discover import registrable_domain
from .exc import PortalListError


@dataclass
class Portal:
    agency: str
    start_url: str
    region_code: str = ""
    level: str = ""
    extra_domains: str = ""     # space-separated: a disclosure platform hosted elsewhere

    @cached_property
    def domains(self) -> frozenset[str]:
        """The portal's own domain and any extra ones; their subdomains count too."""
        own = registrable_domain(urlsplit(self.start_url).hostname or "")
        return frozenset({own, *(registrable_domain(d) for d in self.extra_domains.split())})

    def as_dict(self) -> dict:
        return asdict(self)


def load_portals(path: str | Path) -> list[Portal]:
    """Portals from a CSV with columns agency, region_code, level, start_url and, optionally,
    extra_domains."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as exc:
        raise PortalListError(f"cannot read portals list {path}: {exc.strerror or exc}") from exc
    portals = []
    for line, row in enumerate(rows, start=2):
        url = (row.get("start_url") or "").strip()
        if not url or url.startswith("#"):
            continue
        if urlsplit(url).scheme not in ("http", "https"):
            raise PortalListError(f"{path}:{line}: start_url {url!r} is not an http(s) URL")
        portals.append(Portal(agency=(row.get("agency") or "").strip(), start_url=url,
                              region_code=(row.get("region_code") or "").strip(), level=(row.get("level") or "").strip(),
                              extra_domains=(row.get("extra_domains") or "").strip()))
    if not portals:
        raise PortalListError(f"{path}: no portals (expected columns agency,region_code,level,start_url)")
    return portals


def portals_from_urls(urls: str) -> list[Portal]:
    return [Portal(agency="", start_url=u.strip()) for u in urls.split(",") if u.strip()]


def parse_years(spec: str | None) -> tuple[int, int] | None:
    """'2019-2025' → (2019, 2025); '2021' → (2021, 2021); empty → None (all years)."""
    if not spec:
        return None
    spec = str(spec).strip()
    try:
        if "-" in spec:
            low, high = (int(x) for x in spec.split("-", 1))
        else:
            low = high = int(spec)
    except ValueError:
        raise PortalListError(f"years must look like 2019-2025 or 2021, not {spec!r}") from None
    return (min(low, high), max(low, high))
