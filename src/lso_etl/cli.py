"""`lso-etl`: the command line. Flow commands import Prefect lazily; the rest never do.

User errors end in one clear line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import logging
import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from lso_etl import cli_analyst
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


@app.command()
def backfill(
    ctx: typer.Context,
    start: Annotated[str, typer.Option("--from", help="First publish day, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="Last publish day, YYYY-MM-DD.")],
) -> None:
    """Load every article published in a date range (already stored ones are not fetched)."""
    settings: Settings = ctx.obj
    first, last = _day(start, "--from"), _day(end, "--to")
    if last < first:
        raise UserError(f"--to {last} is before --from {first}")
    from flows.backfill import backfill as backfill_flow

    summary = backfill_flow(first, last, settings.base_url, str(settings.db))
    _print_run(summary)


@app.command()
def daily(ctx: typer.Context) -> None:
    """Load what is new since the newest stored article (re-checking a 2-day overlap)."""
    settings: Settings = ctx.obj
    from flows.daily import daily as daily_flow

    _print_run(daily_flow(None, settings.base_url, str(settings.db)))


@app.command()
def demo(ctx: typer.Context) -> None:
    """Run the real flows against the bundled replay site: a backfill of it all, then a daily run."""
    from lso_etl.demo import run_demo

    run_demo(ctx.obj, out)


@app.command()
def replay(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0: any free port).")] = 8765,
    page_kb: Annotated[int, typer.Option(help="Pad pages to about this size (0: natural).")] = 0,
) -> None:
    """Serve the replay site until Ctrl-C (point --base-url at it)."""
    from lso_etl.replay import serve_forever

    serve_forever(port, pad_kb=page_kb)


def _print_run(summary: dict[str, Any]) -> None:
    counts = ", ".join(f"{k} {v}" for k, v in sorted(summary["counts"].items())) or "nothing to do"
    out.print(
        f"[bold]{summary['flow']}[/bold] {summary['window'][0]}..{summary['window'][1]}: {counts}"
        f" ({summary['requests']} requests, {summary['seconds']} s)"
    )


cli_analyst.register(app)


def main() -> None:
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    try:
        app()
    except (UserError, FileNotFoundError) as exc:  # warehouse errors are UserErrors too
        err.print(f"error: {exc}")
        sys.exit(2)
