"""The store's writer thread (crawler.writer): one connection, owned by one thread, jobs in order."""
import threading

import pytest

from crawler import store
from crawler.writer import StoreWriter


def test_jobs_run_in_order_on_the_thread_that_opened_the_database(tmp_path):
    writer = StoreWriter(lambda: store.open_db(tmp_path / "r.db"))
    seen = []

    def job(db, n):
        with store.write_transaction(db):
            db["crawl_runs"].insert({"status": f"job {n}"})
        seen.append((n, threading.get_ident()))
        return n

    results = [writer.run(job, n) for n in range(5)]
    rows = [r["status"] for r in writer.run(lambda db: list(db.query("SELECT status FROM crawl_runs ORDER BY id")))]
    writer.close()
    assert results == [0, 1, 2, 3, 4]
    assert rows == [f"job {n}" for n in range(5)]
    threads = {ident for _, ident in seen}
    assert len(threads) == 1 and threading.get_ident() not in threads


def test_a_failed_job_rolls_back_and_the_writer_goes_on(tmp_path):
    writer = StoreWriter(lambda: store.open_db(tmp_path / "r.db"))

    def failing(db):
        with store.write_transaction(db):
            db["crawl_runs"].insert({"status": "half written"})
            raise ValueError("broken item")

    with pytest.raises(ValueError, match="broken item"):
        writer.run(failing)
    assert writer.run(lambda db: db["crawl_runs"].count) == 0
    writer.close()


def test_close_waits_for_the_jobs_before_it(tmp_path):
    path = tmp_path / "r.db"
    writer = StoreWriter(lambda: store.open_db(path))
    # jobs handed over without waiting (as the pipeline's Deferreds are) are written before close returns
    for n in range(20):
        writer.submit(lambda db, n=n: db["crawl_runs"].insert({"status": str(n)}))
    writer.close()
    db = store.open_db(path)
    assert db["crawl_runs"].count == 20
