"""What the spider hands to the pipelines: typed records, so the parser, the store and the
pipelines read fields that always exist instead of dict lookups with defaults."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from .schema import ParseOutcome


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Fetched:
    """One HTTP response as it arrived: the bytes are kept for re-parsing."""
    url: str                          # the URL asked for (before redirects)
    body: bytes
    final_url: str = ""               # where the redirects ended; url when empty
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = ""
    fetched_at: str = field(default_factory=utc_now)

    def __post_init__(self):
        self.final_url = self.final_url or self.url


@dataclass
class ReportItem(Fetched):
    """A report candidate: a page or attachment, with the later pages of a report split over several."""
    kind: str = "page"                # page | attachment
    title: str = ""                   # the link's or page's title, as the spider saw it
    portal_index: int = 0
    portal: dict = field(default_factory=dict)      # crawler.portals.Portal.as_dict()
    continuations: list[Fetched] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # fetch problems to store beside the parse outcome
    outcome: ParseOutcome | None = None              # set by ParsePipeline

    @property
    def agency_hint(self) -> str | None:
        return self.portal.get("agency") or None
