"""An agency name misspelled by a conversion (沐阳县教育局 for 沭阳县教育局), matched to the
correctly spelled agency so its reports merge with that agency's (store.report_key).

Pure functions: the store gathers the names seen on a portal and asks here which of them is a
misspelling of which. The match is conservative, because merging two real bodies loses a report:
the two names differ by one character (substituted, dropped or added) inside the leading place
name, the rest is identical, the printed place is not a known place of its own nor used with a
second body, and the correct spelling is vouched for by the portal's own agency or is the one
seen more often there.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .exc import NianbaoError
from .identify import canonical_agency
from .portals import load_portals

# How a place-name segment ends (沭阳县, 宿迁市, 浦东新区, 西双版纳傣族自治州, 阿拉善盟, …).
PLACE_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "新区", "省", "市", "县", "区", "州", "盟", "旗")
# Words ending like a place that are not one: they end the place chain (青阳县|城市管理局).
NOT_PLACE_WORDS = ("城市", "都市", "社区", "园区", "景区", "城区", "市区", "郊区", "辖区", "片区", "小区", "街区", "矿区", "林区",
                   "牧区", "山区", "库区", "灾区", "校区", "营区", "选区", "试验区", "示范区", "保护区", "功能区", "集聚区")
_SEGMENT = re.compile(r"[\u4e00-\u9fff]{1,7}?(?:" + "|".join(PLACE_SUFFIXES) + ")")


def place_end(name: str) -> int:
    """Length of the place names `name` starts with: 宿迁市沭阳县教育局 → 6; 市科委 → 0."""
    end = 0
    while m := _SEGMENT.match(name, end):
        if any(m.group(0).endswith(word) for word in NOT_PLACE_WORDS):
            break
        end = m.end()
    return end


def place_of(name: str) -> str:
    return name[:place_end(name)]


def _one_edit(a: str, b: str) -> tuple[int, int] | None:
    """Where `b` differs from `a` by exactly one substituted, dropped or added character: the
    span [start, end) of `b` that is not `a`'s (empty for a dropped character); None otherwise."""
    if a == b or abs(len(a) - len(b)) > 1:
        return None
    prefix = 0
    while prefix < min(len(a), len(b)) and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(a), len(b)) - prefix and a[-1 - suffix] == b[-1 - suffix]:
        suffix += 1
    if len(a) - prefix - suffix > 1 or len(b) - prefix - suffix > 1:
        return None
    return prefix, len(b) - suffix


def place_edit(printed: str, correct: str) -> tuple[int, int] | None:
    """The span of `correct` the printed name got wrong, when that is one character inside its
    place name and everything else is identical (沐阳县教育局 / 沭阳县教育局 → (0, 1));
    None for two names that differ otherwise (沭阳县教育局 / 沭阳县公安局, 市科委 / 市科协)."""
    span = _one_edit(printed, correct)
    if span is None:
        return None
    end = place_end(correct)
    # the edit lies inside the place name, and the printed name is no shorter place chain
    if span[1] > end or (span[0] == span[1] == end):
        return None
    if not place_end(printed):
        return None
    return span


@dataclass(frozen=True)
class Respelling:
    printed: str     # the agency key as printed
    correct: str     # the agency key it merges with
    reason: str      # for the flag's detail


def _portal_spelling(printed: str, portal_place: str) -> str | None:
    """The printed name with its place respelled as the portal's own (沐阳县教育局 on the
    沭阳县人民政府 portal → 沭阳县教育局), when its place prefix is one edit from the portal's."""
    if not portal_place or printed.startswith(portal_place):
        return None
    for cut in (len(portal_place), len(portal_place) - 1, len(portal_place) + 1):
        if 0 < cut <= place_end(printed) and _one_edit(printed[:cut], portal_place):
            return portal_place + printed[cut:]
    return None


def find_respellings(names: dict[str, int], portal_agency: str | None, known_places: Iterable[str] = ()) -> list[Respelling]:
    """Which of `names` (agency keys seen on one portal or region, with how many sources print
    each) are misspellings of another, given the portal's own agency key and places known to be
    real (the portal list's, other portals'). Each printed name maps to at most one correct name;
    a name with two candidates is left alone."""
    portal_place = place_of(portal_agency or "")
    known = set(known_places) | {portal_place} - {""}
    # a place printed with more than one rest (沐阳县教育局 and 沐阳县公安局) is written so on purpose
    rests: dict[str, set[str]] = {}
    for name in names:
        rests.setdefault(place_of(name), set()).add(name[place_end(name):])
    found = []
    for printed, count in names.items():
        place = place_of(printed)
        if not place or place in known or len(rests[place]) > 1:
            continue
        candidates: dict[str, str] = {}
        respelt = _portal_spelling(printed, portal_place)
        if respelt and place_edit(printed, respelt):
            candidates[respelt] = f"the portal's agency is {portal_agency}"
        for other, other_count in names.items():
            if other != printed and other not in candidates and other_count > count and place_edit(printed, other):
                candidates[other] = f"{other} is printed by {other_count} sources on the portal, {printed} by {count}"
        if len(candidates) == 1:
            (correct, reason), = candidates.items()
            found.append(Respelling(printed, correct, reason))
    return found


# ------------------------------------------------------------------ the store's side

_PORTAL_LIST = Path(__file__).with_name("portals.csv")


@lru_cache(maxsize=1)
def _listed_places() -> frozenset[str]:
    try:
        return frozenset(place_of(canonical_agency(p.agency) or "") for p in load_portals(_PORTAL_LIST)) - {""}
    except NianbaoError:
        return frozenset()


def known_places(db) -> set[str]:
    """Places that are real whatever is printed: the portal list's and every crawled portal's own."""
    crawled = {place_of(canonical_agency(r["portal"]) or "") for r in db.query("SELECT DISTINCT portal FROM sources WHERE portal IS NOT NULL")}
    return (crawled | _listed_places()) - {""}


def respell_sources(db, portal: dict) -> set[str]:
    """Re-key the stored sources of `portal`'s agencies (and its region's) whose printed agency is
    a misspelling of another seen there, and undo re-keyings the evidence no longer supports.
    Returns the report keys whose sources changed, for merge_report."""
    region = portal.get("region_code") or ""
    # found through the (portal, agency_key) and (region_code, agency_key) indexes: "+" keeps the
    # planner off the parse_status index, which matches most of the table
    scope = "+parse_status = 'report' AND agency_key IS NOT NULL AND " + (
        "(portal = :portal OR region_code = :region)" if region else "portal = :portal")
    args = {"portal": portal.get("agency") or "", "region": region}
    names = {r["agency_key"]: r["n"] for r in db.query(f"SELECT agency_key, count(*) AS n FROM sources WHERE {scope} GROUP BY agency_key", args)}
    portal_key = canonical_agency(portal.get("agency"))
    # most portals have no near-miss names at all: the known places are looked up only when one does
    if find_respellings(names, portal_key):
        respellings = {r.printed: r for r in find_respellings(names, portal_key, known_places(db))}
    else:
        respellings = {}
    printed = sorted(respellings)
    marks = ", ".join(f":n{i}" for i in range(len(printed))) or "NULL"
    rows = db.query(f"SELECT id, agency_key, report_key, respelled FROM sources WHERE {scope} "
                    f"AND (respelled IS NOT NULL OR agency_key IN ({marks}))", {**args, **{f"n{i}": n for i, n in enumerate(printed)}})
    changed = set()
    for row in list(rows):
        year = row["report_key"].rpartition("|")[2]
        match = respellings.get(row["agency_key"])
        key = f"{match.correct if match else row['agency_key']}|{year}"
        reason = f"printed {match.printed}, merged with {match.correct}: {match.reason}" if match else None
        if (key, reason) != (row["report_key"], row["respelled"]):
            db["sources"].update(row["id"], {"report_key": key, "respelled": reason})
            changed |= {row["report_key"], key}
    return changed
