"""`lso-etl upgrade`: bring a warehouse an older lso-etl wrote up to this version's schema."""

from __future__ import annotations

import time

import typer

from lso_etl.cli.output import line
from lso_etl.errors import UserError
from lso_etl.settings import Settings


def upgrade(ctx: typer.Context) -> None:
    """Apply this version's migrations to the warehouse, and nothing else (no network).

    Any run applies them first anyway; read-only commands (search, sql, stats, show, report,
    export) cannot, and refuse a warehouse an older lso-etl wrote until it is upgraded.
    Migration 0105 converts the search postings: minutes on a big warehouse, in one
    transaction, so Ctrl-C leaves it as it was.
    """
    from lso_etl.cli.runs import open_or_fail
    from lso_etl.pipeline.writer import one_writer
    from lso_etl.store import warehouse

    settings: Settings = ctx.obj
    if not settings.db.exists():
        raise UserError(f"no warehouse at {settings.db}: nothing to upgrade")
    open_or_fail(settings)  # an unusable or foreign file is named before the lock is taken
    # The writer lock, as a run takes it: a run between two batches holds no DuckDB connection,
    # and its schema must not change under it. Waits (or refuses, LSO_WHEN_BUSY) in one line.
    with one_writer(settings, "upgrade"):
        started = time.monotonic()
        with warehouse.connect(settings.db) as con:
            applied = warehouse.migrate(con)
    seconds = time.monotonic() - started
    if applied:
        line(f"upgraded {settings.db}: {len(applied)} migration(s) applied"
             f" ({', '.join(applied)}) in {seconds:.1f} s")  # fmt: skip
    else:
        line(f"{settings.db} is up to date: nothing to apply")


def register(app: typer.Typer) -> None:
    app.command()(upgrade)
