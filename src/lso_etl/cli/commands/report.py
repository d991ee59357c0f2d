"""`lso-etl report`: write the warehouse's HTML report (`store.analyst.report`), read-only."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from lso_etl.cli.options import optional_day, ordered
from lso_etl.cli.output import line
from lso_etl.errors import UserError
from lso_etl.settings import Settings

# `--to` is the range's last day when it reads as one (`--from 2026-01-01 --to 2026-03-31`,
# as in `backfill` and `search`), and the page's path otherwise (`--to out.html`, as in
# `export`); `--out` names the path when --to is a day.
_LOOKS_LIKE_DAY = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")


def split_to(to: str | None, out: Path | None) -> tuple[str | None, Path | None]:
    """(the range's last day as typed, the page's path) from --to and --out."""
    if to is None or _LOOKS_LIKE_DAY.fullmatch(to.strip()):
        return to, out
    if out is not None:
        raise UserError(f"--to {to} and --out {out} both name the page's path: give one")
    return None, Path(to).expanduser()


def report(
    ctx: typer.Context,
    start: Annotated[
        str | None,
        typer.Option("--from", metavar="DAY", help="First day (default: a year before --to)."),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            metavar="DAY|PATH",
            help="Last day (YYYY-MM-DD; default: the newest) or, if not a day, the page's path.",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="PATH",
            help="The page's path (default: report.html beside lso.duckdb, else <db>.report.html).",
        ),
    ] = None,
) -> None:
    """Write the warehouse's report: one HTML page of charts, offline.

    Coverage, freshness, authors, data quality, runs and the newest articles, in one file that
    opens in any browser without a network; the daily and backfill runs rewrite it.

    Articles are shown by publish day and runs by start day, both in the range given (default:
    the year ending on the newest article, and on the newest run).
    """
    from lso_etl.store.analyst.report import build_report

    settings: Settings = ctx.obj
    last_day, path = split_to(to, out)
    first, last = optional_day(start, "--from"), optional_day(last_day, "--to")
    ordered(first, last)
    written = build_report(settings.db, path, first, last)
    line(f"report: {written.path} ({written.bytes / 1e6:.1f} MB, {written.seconds} s)")


def register(app: typer.Typer) -> None:
    app.command()(report)
