"""Flag reviews: kept by the flag's identity across reparses, written from datasette only by signed-in reviewers."""
import asyncio
import json
import re

import pytest
from datasette.app import Datasette

from crawler import datasetstore, store
from crawler.jobs import reparse
from crawler.review import flag_subject, set_review
from tests.demo_reports import report, store_report
from tests.fixtures import ROOT

HEALTH = "青阳县卫生健康委员会"


@pytest.fixture
def db(tmp_path):
    db = store.open_db(tmp_path / "reports.db")
    store_report(db, report(HEALTH, 2021, 6, forward=1), "http://www.qingyang.gov.test/wjw/2021.html")
    made = report(HEALTH, 2022, 120, carried=3)
    made["applications"]["granted"]["total"] = 999          # and a row that does not add up
    store_report(db, made, "http://www.qingyang.gov.test/wjw/2022.html")
    datasetstore.refresh(db)
    return db


def reviews(db):
    return sorted((r["code"], r["subject"], r["review_status"], r["review_note"], r["flag_id"])
                  for r in db.query("SELECT * FROM flags_reviewed WHERE review_status != 'open'"))


def flag_id(db, code, subject):
    return next(db.query("SELECT id FROM flags WHERE code = ? AND subject = ?", [code, subject]))["id"]


def test_review_status_survives_a_reparse(db):
    set_review(db, flag_id(db, "yoy_outlier", "applications.new_received.total"), "confirmed", "checked the PDF: 120 is right")
    set_review(db, flag_id(db, "row_total_mismatch", "granted"), "dismissed", "typo in the print, 120 meant")
    before = reviews(db)
    assert [r[:4] for r in before] == [("row_total_mismatch", "granted", "dismissed", "typo in the print, 120 meant"),
                                       ("yoy_outlier", "applications.new_received.total", "confirmed", "checked the PDF: 120 is right")]
    reparse(db)
    after = reviews(db)
    assert [r[:4] for r in after] == [r[:4] for r in before]
    # the failing-checks query hides the dismissed one unless asked
    sql = json.loads((ROOT / "crawler" / "datasette.json").read_text(encoding="utf-8"))["databases"]["reports"]["queries"]["failing_checks"]["sql"]
    shown = {(r["code"], r["review_status"]) for r in db.query(sql, {"show_dismissed": ""})}
    assert ("row_total_mismatch", "dismissed") not in shown and ("yoy_outlier", "confirmed") in shown
    assert ("row_total_mismatch", "dismissed") in {(r["code"], r["review_status"]) for r in db.query(sql, {"show_dismissed": "1"})}


def test_a_flag_that_goes_away_and_comes_back_keeps_its_review(db):
    set_review(db, flag_id(db, "balance_mismatch", "carried_over vs 2021"), "confirmed", "asked the bureau")
    db.execute("DELETE FROM sources WHERE url LIKE '%/2021.html'")
    reparse(db)
    assert not list(db.query("SELECT * FROM flags WHERE code = 'balance_mismatch'"))
    store_report(db, report(HEALTH, 2021, 6, forward=1), "http://www.qingyang.gov.test/wjw/2021.html")
    datasetstore.refresh(db)
    assert [r[:4] for r in reviews(db)] == [("balance_mismatch", "carried_over vs 2021", "confirmed", "asked the bureau")]


def test_flags_of_an_older_database_get_their_subject(db):
    db.execute("UPDATE flags SET subject = NULL, scope = NULL WHERE scope = 'report'")
    datasetstore.refresh(db)
    assert {(r["code"], r["subject"], r["scope"]) for r in db.query("SELECT * FROM flags WHERE code = 'row_total_mismatch'")} == {
        ("row_total_mismatch", "granted", "report")}


def test_unknown_status_is_refused(db):
    with pytest.raises(ValueError, match="open, confirmed, dismissed"):
        set_review(db, 1, "maybe")


def test_subjects_stay_when_figures_change():
    assert flag_subject({"code": "balance_mismatch", "detail": "natural_person: 45 + 0 != 46 + 0"}) == "natural_person"
    assert flag_subject({"code": "published_late", "detail": "published 2021-03-02, after the 2021-01-31 deadline"}) == \
        flag_subject({"code": "published_late", "detail": "published 2021-04-11, after the 2021-01-31 deadline"})
    assert flag_subject({"code": "yoy_outlier", "detail": "x", "subject": "applications.new_received.total"}) == \
        "applications.new_received.total"


def test_only_signed_in_reviewers_can_write_from_datasette(db, tmp_path):
    path = db.conn.execute("PRAGMA database_list").fetchone()[2]
    target = flag_id(db, "yoy_outlier", "applications.new_received.total")
    ds = Datasette([path], metadata=json.loads((ROOT / "crawler" / "datasette.json").read_text(encoding="utf-8")),
                   plugins_dir=str(ROOT / "crawler" / "datasette_plugins"))

    async def post(actor):
        cookies = {"ds_actor": ds.sign({"a": actor}, "actor")} if actor else {}
        form = await ds.client.get("/reports/review_flag", cookies=cookies)
        if form.status_code != 200:
            return form.status_code
        token = re.search(r'name="csrftoken" value="([^"]+)"', form.text).group(1)
        done = await ds.client.post("/reports/review_flag", cookies={**cookies, "ds_csrftoken": form.cookies.get("ds_csrftoken")},
                                    data={"flag_id": str(target), "status": "dismissed", "note": "seen", "csrftoken": token})
        return done.status_code

    assert asyncio.run(post(None)) == 403
    assert reviews(db) == []
    assert asyncio.run(post({"id": "wang"})) == 302
    assert [r[:4] for r in reviews(db)] == [("yoy_outlier", "applications.new_received.total", "dismissed", "seen")]
    assert next(db.query("SELECT reviewer FROM flag_reviews"))["reviewer"] == "wang"
