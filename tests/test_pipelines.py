"""Parsing off the reactor: the runner behind ParsePipeline."""
import os
from pathlib import Path

from crawler.jobs import parse_item
from pipelines import ParseRunner

HTML = Path(__file__).parent / "fixtures" / "html"


def die(item):
    os._exit(1)    # a worker killed by the OOM killer or a crash in C code


def test_parse_runs_in_a_worker_process():
    runner = ParseRunner(1)
    try:
        status, report = runner.run({"body": (HTML / "county_2020_rowspan.html").read_bytes(), "url": "http://x.test/a.html"})
    finally:
        runner.close()
    assert (status, report["agency"], report["year"]) == ("report", "青阳县人民政府", 2020)


def test_a_dying_worker_costs_one_parse_not_the_crawl():
    runner = ParseRunner(1, job=die)
    try:
        assert runner.run({}) == ("error", "parser worker died: BrokenProcessPool")
        runner.job = parse_item              # the real parser again, in the new pool
        status, report = runner.run({"body": (HTML / "county_2020_rowspan.html").read_bytes()})
    finally:
        runner.close()
    assert status == "report" and report["year"] == 2020
