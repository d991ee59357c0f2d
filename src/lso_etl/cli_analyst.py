"""Analyst commands: read the warehouse, never write it, never import Prefect."""

from __future__ import annotations

from typing import Annotated

import duckdb
import typer
from rich.console import Console
from rich.table import Table

from lso_etl import warehouse
from lso_etl.errors import UserError
from lso_etl.settings import Settings

out = Console()


def sql(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="SQL to run on a read-only connection.")],
) -> None:
    """Run a query against the warehouse, read-only, and print the result as a table."""
    settings: Settings = ctx.obj
    with warehouse.connect(settings.db, read_only=True) as con:
        try:
            cursor = con.execute(query)
        except duckdb.Error as exc:
            raise UserError(str(exc).splitlines()[0]) from None
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall()
    table = Table(*columns)
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    out.print(table)


def register(app: typer.Typer) -> None:
    app.command()(sql)
