"""The `nianbao` command, run in-process with click's CliRunner as a user would type it."""
import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from crawler import PARSER_VERSION, __version__
from crawler.cli import cli
from tests.fixtures import HTML, ROOT, sample_path

SAMPLE = sample_path("001")


def run(*args, stdin=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=stdin)


def test_summary_shows_identity_tables_and_flags():
    done = run("parse", SAMPLE)
    assert done.exit_code == 0
    assert "盘山县人民政府办公室" in done.stdout and "2022" in done.stdout and "template 2021" in done.stdout
    assert "(四)1.不掌握" in done.stdout
    assert "handled_total_mismatch: natural_person: outcome rows add up to 16 but total_handled is 14" in done.stdout


def test_json_from_stdin():
    done = run("parse", "-", "--json", stdin=SAMPLE.read_bytes())
    report = json.loads(done.stdout)
    assert (report["agency"], report["applications"]["unavailable_not_held"]["natural_person"]) == ("盘山县人民政府办公室", 2)


def test_not_a_report_and_broken_files_fail_in_one_line(tmp_path):
    broken = tmp_path / "report.pdf"
    broken.write_bytes(b"%PDF-1.7 truncated")
    cases = ((HTML / "news_not_report.html", 1, "not an annual report"), (broken, 1, "unreadable"),
             (tmp_path / "none.html", 2, "error: Invalid value for 'FILE'"))
    for path, code, start in cases:
        done = run("parse", path)
        err = done.stderr.strip()
        assert done.exit_code == code and err.startswith(start) and "\n" not in err and not done.stdout


def test_commands_on_a_missing_database_say_so_in_one_line(tmp_path):
    for command in ("list", "reparse", "export"):
        done = run(command, "--db", tmp_path / "none.db")
        assert done.exit_code == 2
        assert done.stderr.strip() == f"error: no database at {tmp_path / 'none.db'} (run a crawl first: make demo, or scrapy crawl reports)"


def test_version_names_the_parser():
    done = run("--version")
    assert done.stdout.strip() == f"nianbao {__version__} (parser {PARSER_VERSION})"


def test_python_dash_m_and_the_console_command_are_the_same_program():
    by_module = subprocess.run([sys.executable, "-m", "crawler", "--version"], cwd=ROOT, capture_output=True, text=True)
    by_script = subprocess.run([str(Path(sys.executable).parent / "nianbao"), "--version"], capture_output=True, text=True)
    assert by_module.stdout == by_script.stdout == f"nianbao {__version__} (parser {PARSER_VERSION})\n"
