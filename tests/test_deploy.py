"""The ready ways to run the crawl periodically: a scrapyd deployment (scrapy.cfg [deploy]) run
against a real scrapyd on 127.0.0.1, and the systemd units and cron lines in deploy/."""
import json
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import sqlite_utils

from crawler.demo import DEMO, free_port, portals_for_port
from tests.conftest import FAST
from tests.fixtures import ROOT, expected_found

BIN = Path(sys.executable).parent
DEPLOY = ROOT / "deploy"


def api(port, path, data=None):
    body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/{path}", data=body, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture
def scrapyd(tmp_path):
    port = free_port(0)
    home = tmp_path / "scrapyd"
    home.mkdir()
    (home / "scrapyd.conf").write_text(f"""[scrapyd]
bind_address = 127.0.0.1
http_port = {port}
eggs_dir = {home / 'eggs'}
logs_dir = {home / 'logs'}
dbs_dir = {home / 'dbs'}
items_dir =
max_proc = 1
poll_interval = 0.2
""", encoding="utf-8")
    process = subprocess.Popen([str(BIN / "scrapyd")], cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while True:
        try:
            if api(port, "daemonstatus.json")["status"] == "ok":
                break
        except OSError:
            pass
        assert process.poll() is None and time.monotonic() < deadline, process.stderr.read().decode()[-2000:]
        time.sleep(0.2)
    yield port, home
    process.terminate()
    process.wait(timeout=30)


def test_scrapyd_deployment_crawls_the_demo_portals(scrapyd, server, tmp_path):
    port, home = scrapyd
    # the project as a user deploys it: scrapy.cfg's [deploy] target, pointed at this scrapyd's port
    project = tmp_path / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(".venv", ".git", "output", "tests", "__pycache__", "*.egg-info"))
    cfg = (project / "scrapy.cfg").read_text(encoding="utf-8")
    assert "url = http://127.0.0.1:6800/" in cfg and "project = nianbao" in cfg
    (project / "scrapy.cfg").write_text(cfg.replace(":6800/", f":{port}/"), encoding="utf-8")
    done = subprocess.run([str(BIN / "scrapyd-deploy")], cwd=project, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0 and '"status": "ok"' in done.stdout + done.stderr, done.stdout + done.stderr
    assert api(port, "listspiders.json?project=nianbao")["spiders"] == ["reports"]

    db = tmp_path / "reports.db"
    portals = portals_for_port(server.server_port, tmp_path / "portals.csv")
    settings = [f"REPORTS_DB={db}", f"RESOLVE_FILE={DEMO / 'hosts.txt'}", "ALLOW_PRIVATE_ADDRESSES=127.0.0.1", "LOG_LEVEL=INFO",
                *[FAST[i + 1] for i in range(0, len(FAST), 2)]]
    job = api(port, "schedule.json", {"project": "nianbao", "spider": "reports", "portals": str(portals), "setting": settings})
    assert job["status"] == "ok", job
    deadline = time.monotonic() + 240
    while not any(j["id"] == job["jobid"] for j in api(port, "listjobs.json?project=nianbao")["finished"]):
        assert time.monotonic() < deadline, "the scrapyd job did not finish"
        time.sleep(0.5)
    reports = sqlite_utils.Database(db)["reports"].count
    log = next((home / "logs").rglob("*.log")).read_text(encoding="utf-8", errors="replace")
    assert reports == len(expected_found()), log[-3000:]
    assert [r["status"] for r in sqlite_utils.Database(db).query("SELECT status FROM crawl_runs")] == ["finished"]


def test_systemd_units_are_valid_and_run_the_documented_command():
    service = (DEPLOY / "nianbao-crawl.service").read_text(encoding="utf-8")
    timer = (DEPLOY / "nianbao-crawl.timer").read_text(encoding="utf-8")
    exec_start = next(line.split("=", 1)[1] for line in service.splitlines() if line.startswith("ExecStart="))
    assert exec_start.startswith("/srv/nianbao/.venv/bin/scrapy crawl reports ") and "JOBDIR=" in exec_start
    calendars = [line.split("=", 1)[1] for line in timer.splitlines() if line.startswith("OnCalendar=")]
    assert len(calendars) == 2
    analyze = shutil.which("systemd-analyze")
    if analyze:
        done = subprocess.run([analyze, "calendar", *calendars], capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stderr
        assert "Mon 20" in done.stdout and "-01 03:00:00" in done.stdout


def test_cron_lines_run_the_same_crawl_as_the_service():
    service = (DEPLOY / "nianbao-crawl.service").read_text(encoding="utf-8")
    exec_start = next(line.split("=", 1)[1] for line in service.splitlines() if line.startswith("ExecStart="))
    lines = [line for line in (DEPLOY / "crontab").read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    assert len(lines) == 2
    for line in lines:
        fields = line.split()
        minute, hour, day, month, weekday = fields[:5]
        assert minute == "0" and hour == "3"
        command = " ".join(fields[5:])
        crawl = command.split("flock -n output/crawl.lock ", 1)[1].split(" >>", 1)[0]
        assert crawl.replace(".venv/", "/srv/nianbao/.venv/") == exec_start.replace(" -s LOG_FILE=output/crawl.log", "")
