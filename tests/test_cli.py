"""`python -m crawler parse`, as a user runs it."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = next((ROOT / "tests" / "fixtures" / "samples").glob("001_*.txt"))


def run(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "crawler", *args], cwd=ROOT, input=stdin, capture_output=True, timeout=120)


def test_summary_shows_identity_tables_and_flags():
    done = run("parse", str(SAMPLE))
    out = done.stdout.decode()
    assert done.returncode == 0
    assert "盘山县人民政府办公室" in out and "2022" in out and "template 2021" in out
    assert "(四)1.不掌握" in out and "handled_total_mismatch: natural_person: outcome rows add up to 16 but total_handled is 14" in out


def test_json_from_stdin():
    done = run("parse", "-", "--json", stdin=SAMPLE.read_bytes())
    report = json.loads(done.stdout)
    assert (report["agency"], report["applications"]["unavailable_not_held"]["natural_person"]) == ("盘山县人民政府办公室", 2)


def test_not_a_report_and_broken_files_fail_in_one_line(tmp_path):
    news = ROOT / "tests" / "fixtures" / "html" / "news_not_report.html"
    broken = tmp_path / "report.pdf"
    broken.write_bytes(b"%PDF-1.7 truncated")
    for path, code, start in ((news, 1, "not an annual report"), (broken, 1, "unreadable"), (tmp_path / "none.html", 2, "error")):
        done = run("parse", str(path))
        err = done.stderr.decode().strip()
        assert done.returncode == code and err.startswith(start) and "\n" not in err and not done.stdout
