"""Monitors run on every crawl: each says whether the run looks healthy, and why not.

* `portals_silent`  a portal that gave reports before gives none this run (its site moved, broke,
                    or started blocking us): known reports count as given when the crawl reaches
                    their URL again, even though an incremental crawl does not download them;
* `errors_by_kind`  errors of one kind (http_500, timeout, dns ...) above MONITOR_MAX_ERRORS
                    (a dict kind -> maximum, "*" for any other kind);
* `season_silent`   no new report at all during the publishing season (MONITOR_SEASON_MONTHS,
                    January-March: the reports are due by 31 January).

The checks are pure functions of the run's stats and the database; RunMonitorSuite runs them as
Spidermon monitors when the spider closes (SPIDERMON_SPIDER_CLOSE_MONITORS), and its action puts
the verdict in the stats: the store pipeline writes it to crawl_runs.monitor and sets the run's
status to `failed`, and the crawl summary lists the reasons.
"""
from __future__ import annotations

from datetime import date

import sqlite_utils
from spidermon import Monitor, MonitorSuite, monitors
from spidermon.core.actions import Action

DEFAULT_MAX_ERRORS = {"*": 50}
DEFAULT_SEASON = "1-3"


def parse_months(spec: str) -> set[int]:
    months: set[int] = set()
    for part in str(spec or "").split(","):
        if "-" in part:
            low, high = part.split("-", 1)
            months.update(range(int(low), int(high) + 1))
        elif part.strip():
            months.add(int(part))
    return months


def portals_silent(before: dict[str, int], given: dict[str, int]) -> dict:
    """`before`: reports stored per portal before this run; `given`: reports this run reached per portal."""
    silent = sorted(p for p, n in before.items() if n and not given.get(p))
    if silent:
        return _result("portals_silent", False, f"{len(silent)} portal(s) gave reports before and none now: "
                       + ", ".join(f"{p} ({before[p]} before)" for p in silent[:10]))
    return _result("portals_silent", True, "every portal that gave reports before gave them again")


def errors_by_kind(errors: dict[str, int], maximum: dict[str, int]) -> dict:
    over = {kind: n for kind, n in sorted(errors.items()) if n > maximum.get(kind, maximum.get("*", float("inf")))}
    if over:
        return _result("errors_by_kind", False, "too many errors: " + ", ".join(
            f"{kind} {n} (max {maximum.get(kind, maximum.get('*'))})" for kind, n in over.items()))
    return _result("errors_by_kind", True, "errors within limits")


def season_silent(new_reports: int, today: date, season: set[int]) -> dict:
    if today.month in season and new_reports == 0:
        return _result("season_silent", False, f"no new report in the publishing season (months {sorted(season)})")
    return _result("season_silent", True, "outside the publishing season" if today.month not in season
                   else f"{new_reports} new report(s) in the publishing season")


def _result(name: str, ok: bool, reason: str) -> dict:
    return {"monitor": name, "ok": ok, "reason": reason}


def passed(results: list[dict] | None) -> bool:
    return all(r["ok"] for r in results or ())


def _prefixed(stats: dict, prefix: str) -> dict[str, int]:
    return {k[len(prefix):]: v for k, v in stats.items() if k.startswith(prefix) and isinstance(v, int)}


def check_run(db, run_id: int, stats: dict, config: dict | None = None) -> list[dict]:
    """All monitors on one run; `config` holds MONITOR_* settings (max_errors, season, today)."""
    config = config or {}
    started = next(db.query("SELECT started_at FROM crawl_runs WHERE id = ?", [run_id]))["started_at"]
    portals = stats.get("nianbao/portal_names") or []
    before = {r["portal"]: r["n"] for r in db.query(
        "SELECT portal, count(*) AS n FROM reports WHERE first_seen < ? GROUP BY portal", [started])
        if r["portal"] in portals}
    today = config.get("today") or date.today()
    return [
        portals_silent(before, _prefixed(stats, "nianbao/portal_reports/")),
        errors_by_kind(_prefixed(stats, "nianbao/errors/"), config.get("max_errors") or DEFAULT_MAX_ERRORS),
        season_silent(len(stats.get("nianbao/new_reports") or ()), today,
                      parse_months(config.get("season") or DEFAULT_SEASON)),
    ]


def config_from_settings(settings) -> dict:
    today = settings.get("MONITOR_TODAY")
    return {"max_errors": settings.getdict("MONITOR_MAX_ERRORS") or DEFAULT_MAX_ERRORS,
            "season": settings.get("MONITOR_SEASON_MONTHS") or DEFAULT_SEASON,
            "today": date.fromisoformat(today) if today else None}


# ---------------------------------------------------------------- as a Spidermon suite

def _verdict(crawler) -> dict[str, dict]:
    """The checks, run once per crawl however many monitors ask."""
    if getattr(crawler, "nianbao_verdict", None) is None:
        stats = crawler.stats.get_stats()
        if "nianbao/run_id" not in stats:       # nothing was crawled (bad arguments)
            return {}
        db = sqlite_utils.Database(crawler.settings.get("REPORTS_DB"))
        try:
            results = check_run(db, stats["nianbao/run_id"], stats, config_from_settings(crawler.settings))
        finally:
            db.close()
        crawler.nianbao_verdict = {r["monitor"]: r for r in results}
    return crawler.nianbao_verdict


@monitors.name("nianbao run")
class RunMonitor(Monitor):
    def _check(self, name: str):
        result = _verdict(self.data.crawler).get(name)
        if result is None:
            self.skipTest("no run recorded")
        self.assertTrue(result["ok"], msg=result["reason"])

    @monitors.name("portals_silent")
    def test_portals_silent(self):
        self._check("portals_silent")

    @monitors.name("errors_by_kind")
    def test_errors_by_kind(self):
        self._check("errors_by_kind")

    @monitors.name("season_silent")
    def test_season_silent(self):
        self._check("season_silent")


class KeepVerdict(Action):
    """Puts the verdict in the stats, where the store pipeline and the summary find it."""

    def run_action(self):
        crawler = self.data.crawler
        if getattr(crawler, "nianbao_verdict", None) is not None:
            crawler.stats.set_value("nianbao/monitor", list(crawler.nianbao_verdict.values()))


class RunMonitorSuite(MonitorSuite):
    monitors = [RunMonitor]
    monitors_finished_actions = [KeepVerdict]
