"""`nianbao` (or `python -m crawler`): the library's jobs from the shell. This module only reads
arguments and prints; the work is in the library, the formatting in cli_utils."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from . import PARSER_VERSION, __version__
from .cli_utils import format_report_list, format_summary
from .schema import LIMIT_EXCEEDED
from .settings import REPORTS_DB


class CliError(click.ClickException):
    """A one-line error on stderr, with the exit code the README documents."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None) -> None:
        click.echo(self.message, err=True)


class OneLineCommand(click.Command):
    """Bad arguments (a missing file, a bad year) get one line, not a usage screen."""

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:
            raise CliError(f"error: {exc.format_message()}", exit_code=exc.exit_code) from exc


class Cli(click.Group):
    command_class = OneLineCommand


def _open_db(ctx, param, path: str):
    from .store import open_db
    if not Path(path).exists():
        raise CliError(f"error: no database at {path} (run a crawl first: make demo, or scrapy crawl reports)", exit_code=2)
    return open_db(path)


def _limited_runner(job):
    """One parse worker under the crawl's limits; forked, as the CLI has no threads to lose."""
    from .workers import ParseRunner
    return ParseRunner(1, job=job, start_method="fork")


def existing_db(command):
    """--db for commands that read a stored dataset: opened once here, or one line saying why not."""
    return click.option("--db", default=REPORTS_DB, show_default=True, callback=_open_db,
                        help="the SQLite database the crawl writes")(command)


@click.group(cls=Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="nianbao", message=f"%(prog)s %(version)s (parser {PARSER_VERSION})")
def cli():
    """nianbao: crawl, parse and check 政府信息公开工作年度报告."""


@cli.command()
@click.argument("file", type=click.File("rb"))
@click.option("--json", "as_json", is_flag=True, help="print the schema JSON instead of a summary")
def parse(file, as_json):
    """Parse one report file (.html .txt .md .pdf .docx .doc .wps .xlsx .xls, a scan or a picture of its tables, or - for stdin)."""
    from .jobs import parse_arguments
    body = file.read()
    name = getattr(file, "name", "<stdin>")
    filename = None if name == "<stdin>" else name
    # under the crawl's limits (crawler/limits.py), in a worker process as in a crawl
    runner = _limited_runner(parse_arguments)
    try:
        outcome = runner.run((body, None, None, None, (), filename))
    finally:
        runner.close()
    if outcome.status == "not_a_report":
        raise CliError(f"not an annual report: {name}: {outcome.reason}")
    if outcome.status in ("unreadable", LIMIT_EXCEEDED):
        raise CliError(f"unreadable: {name}: {outcome.reason}")
    if outcome.report is None:     # a parser bug: one line, and a way to report it
        raise CliError(f"error: {name}: the parser failed ({(outcome.reason or '').split(' | ')[0]}); "
                       "please report this file", exit_code=3)
    report = outcome.report
    click.echo(json.dumps(report, ensure_ascii=False, indent=2) if as_json else format_summary(report))


@cli.command()
@existing_db
def reparse(db):
    """Re-parse every stored source with the current parser (no network)."""
    from .jobs import reparse as reparse_all

    def progress(done, total):
        if done == total or done % 25 == 0:
            click.echo(f"\r  re-parsed {done}/{total} sources", nl=done == total, err=True)

    from .jobs import parse_arguments
    runner = _limited_runner(parse_arguments)
    try:
        counts = reparse_all(db, parse=lambda *arguments: runner.run(arguments), progress=progress)
    finally:
        runner.close()
    click.echo("reparse: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@cli.command(name="list")
@existing_db
@click.option("--year", type=int, help="only reports on this year")
@click.option("--flag", help="only reports with this flag code, e.g. balance_mismatch")
def list_reports(db, year, flag):
    """The stored reports, one line each, with their flags."""
    from .store import stored_reports
    click.echo(format_report_list(stored_reports(db, year, flag)))


@cli.command()
@existing_db
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "xlsx"]), default="csv", show_default=True)
@click.option("--out", default="output/export", show_default=True, type=click.Path(file_okay=False))
def export(db, fmt, out):
    """Write flat files: csv (reports, cells, flags, sources), jsonl (one report per line) or xlsx
    (reports.xlsx: a sheet per table 二/三/四 with one row per report, plus reports and flags)."""
    from .export import export as export_files
    for path in export_files(db, out, fmt):
        click.echo(str(path))


@cli.command()
@click.option("--port", type=int, default=8808, show_default=True, help="preferred port; a free one is taken if busy")
@click.option("--db", default=REPORTS_DB, show_default=True)
@click.pass_context
def demo(ctx, port, db):
    """Serve the bundled demo portals on 127.0.0.1 and crawl them into the database."""
    from .demo import run_demo
    ctx.exit(run_demo(port=port, db=db))


@cli.command()
@existing_db
@click.option("--limit", type=int, default=20, show_default=True, help="the newest runs to show")
def runs(db, limit):
    """The crawl runs, newest first: requests, not modified, new and changed reports, problems."""
    from .runs import format_runs
    click.echo(format_runs(db, limit))


REDIS_URL = "redis://127.0.0.1:6379/0"


@cli.command(name="store-worker")
@click.option("--redis", "redis_url", default=REDIS_URL, show_default=True)
@click.option("--db", default=REPORTS_DB, show_default=True)
@click.option("--until-done", is_flag=True, help="exit when the crawl is over (queue and items empty, no worker alive)")
def store_worker(redis_url, db, until_done):
    """Distributed mode: the single writer, draining the workers' items from Redis into SQLite."""
    from .distributed import store_worker as drain
    drain(redis_url, db, until_done=until_done)


@cli.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.option("--redis", "redis_url", default=REDIS_URL, show_default=True)
@click.option("--wait", default=60.0, show_default=True, help="seconds to wait for the store-worker to open the run")
@click.pass_context
def worker(ctx, redis_url, wait):
    """Distributed mode: one crawl worker; other arguments go to scrapy crawl reports (-a portals=my.csv)."""
    import subprocess

    from .distributed import wait_for_run, worker_command
    if wait_for_run(redis_url, wait) is None:
        raise click.ClickException(f"no store-worker has opened a run on {redis_url} in {wait:g} s: start "
                                   "`python -m crawler store-worker` first (it publishes what earlier crawls know)")
    ctx.exit(subprocess.call(worker_command(redis_url, ctx.args)))


def main(argv: list[str] | None = None) -> int:
    # Nothing printed may crash a command: text with lone surrogates (a file name in a foreign
    # encoding) is printed with replacements, and a reader that goes away (`| head`) ends it quietly.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    try:
        code = cli.main(args=argv, prog_name="nianbao", standalone_mode=False) or 0
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # the rest of the output has nowhere to go (1, as click says it); keep Python quiet at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        return 130
