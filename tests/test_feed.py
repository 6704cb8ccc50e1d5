"""`scrapy crawl reports -O reports.jsonl`: Scrapy's feed export gives one line per report, in the schema."""
import json

import sqlite_utils

from crawler.schema import TABLES
from tests.conftest import crawl
from tests.fixtures import expected_found


def test_feed_has_one_line_per_report_merged_over_its_versions(server, tmp_path):
    db_path, feed = tmp_path / "reports.db", tmp_path / "reports.jsonl"
    stdout = crawl(server, db_path, "-O", str(feed))
    lines = [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()]
    db = sqlite_utils.Database(db_path)
    stored = {(r["agency"], r["year"]): r for r in db.query("SELECT * FROM reports")}
    assert len(lines) == len(stored) == len(expected_found())    # several report pages are versions of one report
    assert sorted((r["agency"], r["year"]) for r in lines) == sorted(stored)
    for line in lines:
        row = stored[(line["agency"], line["year"])]
        assert set(line) >= {"agency", "agency_raw", "year", "template", "published", *TABLES, "flags", "source"}
        assert (line["report_id"], line["url"], line["versions"]) == (row["id"], row["best_url"], row["versions"])
        codes = sorted(f["code"] for f in line["flags"])
        assert codes == sorted(f["code"] for f in db.query("SELECT code FROM flags WHERE report_id = ?", [row["id"]]))
    # the two versions of the bureau's 2022 report are one line, with the figures of the version shown
    bureau = next(r for r in lines if (r["agency"], r["year"]) == ("临江市生态环境局", 2022))
    assert bureau["versions"] == 2
    new = next(db.query("SELECT value FROM cells WHERE report_id = ? AND \"table\" = 'applications' AND row = 'new_received' "
                        "AND \"column\" = 'total'", [bureau["report_id"]]))["value"]
    assert bureau["applications"]["new_received"]["total"] == new
    # dataset checks are in the feed and the summary
    baishui = next(r for r in lines if (r["agency"], r["year"]) == ("白水县人民政府", 2021))
    carried = [f["detail"] for f in baishui["flags"] if f["code"] == "balance_mismatch"]
    assert len(carried) == 1 and carried[0].startswith("2021 report carries over what the 2020 report did not carry forward")
    assert "dataset checks         balance_mismatch 1" in stdout
