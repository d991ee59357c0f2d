"""Commands registered on the main app (see cli.py): the raw archive's commands.

`reparse` needs no network and no orchestration, so it never imports Prefect.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from lso_etl.cli.options import optional_day, ordered
from lso_etl.errors import UserError
from lso_etl.settings import Settings


def reparse(
    ctx: typer.Context,
    start: Annotated[
        str | None,
        typer.Option("--from", metavar="DAY", help="First publish day, YYYY-MM-DD (default: all)."),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option("--to", metavar="DAY", help="Last publish day, YYYY-MM-DD (default: all)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Rebuild articles from the raw archive (no network): apply a parser fix to history."""
    from lso_etl.cli.runs import open_or_fail
    from lso_etl.pipeline.reparse import reparse as run_reparse
    from lso_etl.pipeline.reparse import summary_line

    settings: Settings = ctx.obj
    first, last = optional_day(start, "--from"), optional_day(end, "--to")
    ordered(first, last)
    if not settings.db.exists():
        raise UserError(f"no warehouse at {settings.db}: nothing has been archived yet")
    open_or_fail(settings)  # unusable, foreign or newer, or held: one line before the lock
    result = run_reparse(settings, first, last)
    print(json.dumps(result, ensure_ascii=False) if as_json else summary_line(result))


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command()(reparse)
