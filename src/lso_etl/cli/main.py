"""`lso-etl`: the command line. Flow commands import Prefect lazily; the rest never do.

User errors end in one clear line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from lso_etl.cli import analyst as cli_analyst
from lso_etl.cli import archive as cli_archive
from lso_etl.cli import parse as cli_parse
from lso_etl.errors import UserError
from lso_etl.settings import DEFAULT_BASE_URL, Settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
out = Console()
err = Console(stderr=True)


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[Path, typer.Option(envvar="LSO_DB", help="DuckDB warehouse file.")] = Path(
        "warehouse/lso.duckdb"
    ),
    base_url: Annotated[
        str,
        typer.Option(
            envvar="LSO_BASE_URL", help="Site to crawl: the real one, a mirror, a replay."
        ),
    ] = DEFAULT_BASE_URL,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every step.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        ctx.obj = Settings.from_env(db=db, base_url=base_url)
    except ValueError as exc:
        raise UserError(str(exc)) from None


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UserError(f"{option} {value!r} is not a date like 2017-07-01") from None


def _backfill_range(start: str, end: str) -> tuple[date, date]:
    """The range asked for, cut to the days that can hold articles (each cut said on stderr)."""
    from lso_etl.pipeline.steps import clamp_range, site_today

    first, last = _day(start, "--from"), _day(end, "--to")
    if last < first:
        raise UserError(f"--to {last} is before --from {first}")
    first, last, notes = clamp_range(first, last, site_today())
    for note in notes:
        err.print(f"note: {note}", soft_wrap=True, markup=False, highlight=False)
    return first, last


def _open_or_fail(settings: Settings) -> None:
    """Open the warehouse once before the flow engine starts (12 s or more without a server):
    a file that is not a usable warehouse fails here in one line, not inside a flow run."""
    from lso_etl.store import warehouse

    with warehouse.connect(settings.db):
        pass


@app.command()
def backfill(
    ctx: typer.Context,
    start: Annotated[str, typer.Option("--from", help="First publish day, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="Last publish day, YYYY-MM-DD.")],
    chunk_days: Annotated[int | None, typer.Option(help="Days per chunk (default 31).")] = None,
    newest_first: Annotated[bool, typer.Option(help="Process the newest chunk first.")] = False,
    dry_run: Annotated[
        bool,
        typer.Option(help="List chunks and candidates (and how each was found); load nothing."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only the result line.")] = False,
) -> None:
    """Load every article published in a date range (already stored ones are not fetched).

    On a terminal a progress bar shows chunks, articles and an ETA; otherwise (cron, CI)
    one log line per chunk and run. --quiet and --json print only the result.
    """
    settings: Settings = ctx.obj
    first, last = _backfill_range(start, end)
    if chunk_days is not None and chunk_days < 1:
        raise UserError(f"--chunk-days {chunk_days}: a chunk is at least 1 day")
    if dry_run:
        from lso_etl.pipeline.steps import dry_run as plan_only

        _print_dry_run(plan_only(settings, first, last, chunk_days or settings.chunk_days), as_json)
        return
    interactive = out.is_terminal and not (quiet or as_json)
    if not (interactive or quiet or as_json):
        os.environ["PREFECT_LOGGING_LEVEL"] = "INFO"  # plain log lines for logs and cron mail
    _open_or_fail(settings)
    from flows.backfill import backfill as backfill_flow
    from lso_etl.cli.progress import progress_bar

    with _failed_run_in_one_line(), progress_bar(out) if interactive else nullcontext():
        summary = backfill_flow(
            first, last, settings.base_url, str(settings.db), None, chunk_days, newest_first
        )
    _print_run(summary, as_json)


@app.command()
def daily(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Load what is new since the newest stored article (re-checking a 2-day overlap)."""
    settings: Settings = ctx.obj
    _open_or_fail(settings)
    from flows.daily import daily as daily_flow

    with _failed_run_in_one_line():
        summary = daily_flow(None, settings.base_url, str(settings.db))
    _print_run(summary, as_json)


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
    """Run the real flows against the bundled replay site: a backfill of it all, then a daily run."""
    from lso_etl.cli.demo import run_demo

    with _failed_run_in_one_line():
        run_demo(ctx.obj, out)


@app.command()
def replay(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0: any free port).")] = 8765,
    page_kb: Annotated[int, typer.Option(help="Pad pages to about this size (0: natural).")] = 0,
) -> None:
    """Serve the replay site until Ctrl-C (point --base-url at it)."""
    from lso_etl.replay.server import serve_forever

    serve_forever(port, pad_kb=page_kb)


@contextmanager
def _failed_run_in_one_line() -> Iterator[None]:
    """A flow run that ended Failed (chunks failed, layout drift, site down) as a UserError:
    its message already says why, and each failed step logged its own error."""
    from prefect.exceptions import FailedRun

    try:
        yield
    except FailedRun as exc:
        raise UserError(str(exc)) from None


def _print_run(summary: dict[str, Any], as_json: bool = False) -> None:
    if as_json:
        print(json.dumps(summary, ensure_ascii=False, default=str))
        return
    counts = ", ".join(f"{k} {v}" for k, v in sorted(summary["counts"].items())) or "nothing to do"
    out.print(
        f"[bold]{summary['flow']}[/bold] {summary['window'][0]}..{summary['window'][1]}: {counts}"
        f" ({summary['requests']} requests, {summary['seconds']} s)"
    )


def _print_dry_run(chunks: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print(json.dumps(chunks, ensure_ascii=False, default=str))
        return
    for chunk in chunks:
        out.print(
            f"[bold]{chunk['start']}..{chunk['end']}[/bold]: {len(chunk['candidates'])} candidates,"
            f" {chunk['to_fetch']} to fetch{' (finished earlier)' if chunk['finished'] else ''}"
        )
        for c in chunk["candidates"]:
            out.print(f"  {c['seen_date']}  {c['article_id']:<14} {c['found_by']:<18} {c['url']}")


cli_analyst.register(app)
cli_parse.register(app)
cli_archive.register(app)


def main() -> None:
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    try:
        app()
    except (UserError, FileNotFoundError) as exc:  # warehouse errors are UserErrors too
        # One line, whatever the width, and a path with [brackets] is not markup.
        err.print(f"error: {exc}", soft_wrap=True, markup=False, highlight=False)
        sys.exit(2)
