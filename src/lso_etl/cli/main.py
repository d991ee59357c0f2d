"""`lso-etl`: the command line (the typer app) and its entry point.

Flow commands import Prefect lazily, after their inputs are checked and the warehouse has
opened; the others never import it. Failures end in one line and an exit code of their kind
(`cli.entry`, `cli.exits`); output pipes cleanly (`cli.output`).
"""

from __future__ import annotations

import errno
import json
import logging
import os
import sys
from contextlib import nullcontext
from datetime import date
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Annotated

import typer

from lso_etl.cli import entry
from lso_etl.cli.commands import analyst as cli_analyst
from lso_etl.cli.commands import archive as cli_archive
from lso_etl.cli.commands import parse as cli_parse
from lso_etl.cli.commands import report as cli_report
from lso_etl.cli.commands import show as cli_show
from lso_etl.cli.commands import upgrade as cli_upgrade
from lso_etl.cli.options import CAPTURE_HELP, SOURCE_HELP, as_given, ordered, parse_day
from lso_etl.cli.output import err, line, out
from lso_etl.cli.runs import (
    open_or_fail,
    print_dry_run,
    print_run,
    run_context,
    starting,
)
from lso_etl.errors import UserError
from lso_etl.settings import DEFAULT_BASE_URL, Settings

HELP = """Scrape Báo Lạng Sơn (baolangson.vn) politely into a DuckDB warehouse, and query it.

Global options go before the command: lso-etl --db PATH stats. Exit codes: 0 done, 1 a run
failed, 2 usage, 3 not an article, 4 parse failed, 5 robots.txt forbids, 6 unreachable,
75 warehouse busy (retry later), 130 interrupted, 141 output pipe closed (SIGPIPE).
"""
# Plain click help: rich's panels print `<bool>` after every flag and cut lines in a pipe.
app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help=HELP,
    rich_markup_mode=None,
    # Wide enough that each command's first sentence is listed whole.
    context_settings={"terminal_width": 100, "max_content_width": 100},
)
# Seconds a run waits for another process's lock on the warehouse before giving up (exit 75).


def _print_version(wanted: bool) -> None:
    if wanted:
        try:
            line(f"lso-etl {version('lso-etl')}")
        except PackageNotFoundError:  # run from a source tree that was never installed
            line("lso-etl (not installed: version unknown)")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[
        Path, typer.Option(envvar="LSO_DB", metavar="PATH", help="DuckDB warehouse file.")
    ] = Path("warehouse/lso.duckdb"),
    base_url: Annotated[
        str,
        typer.Option(
            envvar="LSO_BASE_URL",
            metavar="URL",
            help="Site to crawl: the real one, a mirror, a replay.",
        ),
    ] = DEFAULT_BASE_URL,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every step.")] = False,
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_print_version, help="Print the version."
        ),
    ] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        ctx.obj = Settings.from_env(db=db, base_url=base_url)
    except ValueError as exc:  # named as the option when typed, else as the LSO_ variable
        raise UserError(as_given(ctx, str(exc))) from None


def _backfill_range(start: str, end: str) -> tuple[date, date]:
    """The range asked for, cut to the days that can hold articles (each cut said on stderr)."""
    from lso_etl.pipeline.steps import clamp_range, site_today

    first, last = parse_day(start, "--from"), parse_day(end, "--to")
    ordered(first, last)
    first, last, notes = clamp_range(first, last, site_today())
    for note in notes:
        err.print(f"note: {note}", markup=False)
    return first, last


@app.command()
def backfill(
    ctx: typer.Context,
    start: Annotated[
        str, typer.Option("--from", metavar="DAY", help="First publish day, YYYY-MM-DD.")
    ],
    end: Annotated[str, typer.Option("--to", metavar="DAY", help="Last publish day, YYYY-MM-DD.")],
    chunk_days: Annotated[
        int | None, typer.Option(metavar="N", help="Days per chunk (default 31, at least 1).")
    ] = None,
    newest_first: Annotated[bool, typer.Option(help="Process the newest chunk first.")] = False,
    dry_run: Annotated[
        bool,
        typer.Option(help="List chunks and candidates (and how each was found); load nothing."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only the result line.")] = False,
    source: Annotated[str | None, typer.Option(metavar="NAME", help=SOURCE_HELP)] = None,
    capture: Annotated[str | None, typer.Option(metavar="WHICH", help=CAPTURE_HELP)] = None,
) -> None:
    """Load every article published in a date range (already stored ones are not fetched).

    On a terminal a progress bar shows chunks, articles and an ETA; otherwise (cron, CI)
    one log line per chunk and run. --quiet and --json print only the result.
    """
    from lso_etl.pipeline.archives.plan import archive_dry_run
    from lso_etl.pipeline.sources import with_choices

    settings: Settings = with_choices(ctx.obj, source, capture)
    if chunk_days is not None and chunk_days < 1:
        raise UserError(f"--chunk-days {chunk_days}: a chunk is at least 1 day (default 31)")
    first, last = _backfill_range(start, end)
    if dry_run:
        from lso_etl.pipeline.steps import dry_run as plan_only

        planner = plan_only if settings.source == "site" else archive_dry_run
        print_dry_run(planner(settings, first, last, chunk_days or settings.chunk_days), as_json)
        return
    interactive = out.is_terminal and not (quiet or as_json)
    if not (interactive or quiet or as_json):
        os.environ["PREFECT_LOGGING_LEVEL"] = "INFO"  # plain log lines for logs and cron mail
    open_or_fail(settings, crawls=True)
    if not (quiet or as_json):
        starting(f"backfill {first}..{last} into {settings.db}")
    from lso_etl.cli.progress import progress_bar

    with (
        run_context(settings, "backfill"),
        progress_bar(out) if interactive else nullcontext(),
    ):
        from flows.backfill import backfill as backfill_flow  # Prefect: seconds, Ctrl-C handled

        summary = backfill_flow(
            first, last, settings.base_url, str(settings.db), None, chunk_days, newest_first,
            settings.source, settings.capture,
        )  # fmt: skip
    print_run(summary, as_json)


@app.command()
def daily(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Load what is new since the newest stored article (re-checking a 2-day overlap)."""
    settings: Settings = ctx.obj
    open_or_fail(settings, crawls=True)
    starting(f"daily run on {settings.db} against {settings.base_url}")
    with run_context(settings, "daily"):
        from flows.daily import daily as daily_flow  # Prefect: seconds, Ctrl-C handled

        summary = daily_flow(None, settings.base_url, str(settings.db))
    print_run(summary, as_json)


@app.command()
def serve(
    with_server: Annotated[
        bool, typer.Option(help="Start a local Prefect server on 127.0.0.1:4200 for the schedule.")
    ] = False,
    dry_run: Annotated[bool, typer.Option(help="Print the deployments as JSON and exit.")] = False,
) -> None:
    """Serve the `daily` (06:00 Asia/Ho_Chi_Minh) and `backfill` deployments until Ctrl-C."""
    if dry_run:
        from flows.serve import describe

        print(json.dumps(describe(), ensure_ascii=False, indent=2))
        return
    if not with_server and not os.environ.get("PREFECT_API_URL"):
        raise UserError(
            "schedules need a long-lived Prefect server: set PREFECT_API_URL, or pass --with-server"
        )
    from lso_etl.pipeline.prefect_server import local_server

    with local_server() if with_server else nullcontext():
        from flows.serve import main as serve_main

        serve_main()


@app.command()
def demo(ctx: typer.Context) -> None:
    """Run the real flows on the bundled replay site: a full backfill, then a daily run."""
    from lso_etl.cli.commands.demo import db_given, demo_settings, run_demo

    settings = demo_settings(ctx.obj, db_given(ctx))  # warehouse/demo.duckdb unless --db/LSO_DB
    if settings.db.exists():  # an unusable or locked file fails before the flow engine starts
        open_or_fail(settings)
    starting(f"demo: the replay site, then a backfill and a daily run into {settings.db}")
    with run_context(settings, "demo"):
        run_demo(settings, out, db_chosen=True)


@app.command()
def replay(
    port: Annotated[
        int,
        typer.Option(
            min=0, max=65535, metavar="PORT", help="Port on 127.0.0.1 (0: any free port)."
        ),
    ] = 8765,
    page_kb: Annotated[
        int, typer.Option(min=0, metavar="KB", help="Pad pages to about this size (0: natural).")
    ] = 0,
    years: Annotated[
        int,
        typer.Option(
            min=0,
            max=30,
            metavar="N",
            help="Serve ~15,000 generated articles a year for N years (0: 373).",
        ),
    ] = 0,
    surface: Annotated[
        str,
        typer.Option(
            metavar="KIND", help="Discovery documents offered: all, sitemaps, listings or json."
        ),
    ] = "all",
) -> None:
    """Serve the replay site until Ctrl-C (point --base-url at it)."""
    from lso_etl.cli.replay_hints import replay_commands
    from lso_etl.replay.model import CorpusView
    from lso_etl.replay.server import serve_forever

    if surface not in ("all", "sitemaps", "listings", "json"):
        raise UserError(f"--surface {surface}: one of all, sitemaps, listings, json")

    def print_commands(base_url: str, corpus: CorpusView) -> None:
        newest = corpus.articles[len(corpus.articles) - 1].path
        for text in replay_commands(base_url, corpus.first_day, corpus.last_day, newest):
            line(text)

    try:
        serve_forever(port, years=years, on_ready=print_commands, pad_kb=page_kb, surface=surface)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UserError(
                f"port {port} on 127.0.0.1 is already in use (another replay site?): stop it, or"
                " pass another --port (--port 0 picks a free one)"
            ) from None
        raise UserError(f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}") from None


cli_analyst.register(app)
cli_parse.register(app)
cli_archive.register(app)
cli_show.register(app)
cli_report.register(app)
cli_upgrade.register(app)


def main() -> None:
    """The `lso-etl` program: exits with the code of what happened (`cli.exits`)."""
    sys.exit(entry.run(app, sys.argv[1:]))
