"""Parsing off the reactor: the runner behind ParsePipeline."""
import os

from crawler.items import ReportItem
from crawler.jobs import parse_item
from crawler.schema import ParseOutcome
from pipelines import ParseRunner
from tests.fixtures import HTML


def die(item):
    os._exit(1)    # a worker killed by the OOM killer or a crash in C code


def test_parse_runs_in_a_worker_process():
    runner = ParseRunner(1)
    try:
        outcome = runner.run(ReportItem(url="http://x.test/a.html", body=(HTML / "county_2020_rowspan.html").read_bytes()))
    finally:
        runner.close()
    assert (outcome.status, outcome.report["agency"], outcome.report["year"]) == ("report", "青阳县人民政府", 2020)


def test_a_dying_worker_costs_one_parse_not_the_crawl():
    runner = ParseRunner(1, job=die)
    try:
        assert runner.run(ReportItem(url="http://x.test/", body=b"")) == ParseOutcome(
            "error", reason="parser worker died: BrokenProcessPool")
        runner.job = parse_item              # the real parser again, in the new pool
        outcome = runner.run(ReportItem(url="http://x.test/a.html", body=(HTML / "county_2020_rowspan.html").read_bytes()))
    finally:
        runner.close()
    assert outcome.status == "report" and outcome.report["year"] == 2020
