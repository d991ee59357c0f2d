"""Analyst commands: read the warehouse, never write it, never import Prefect.

Each opens the file read-only for as short a time as it can: while it is open, a run that
wants to write waits (DuckDB lets one process hold a file). `sql`, `search` and `stats` run on
`store.readonly`'s sandboxed connection: one query, no files, no settings changed.
`export` makes copies to keep open, and never deletes a file it did not write.
"""

from __future__ import annotations

import csv
import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import duckdb
import typer
from rich.console import Console
from rich.table import Table

from lso_etl.errors import UserError
from lso_etl.settings import Settings
from lso_etl.store import search as search_engine
from lso_etl.store import stats as warehouse_stats
from lso_etl.store.export import export as export_warehouse
from lso_etl.store.readonly import explain_refusal, open_read_only, single_select

out = Console()
AS_JSON = typer.Option("--json", help="Print JSON instead of a table.")


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _print_table(columns: list[str], rows: list[tuple[Any, ...]], title: str | None = None) -> None:
    table = Table(*columns, title=title)
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    out.print(table)


def sql(
    ctx: typer.Context,
    query: Annotated[
        str, typer.Argument(help="One query (select, with, describe, ...) on the warehouse.")
    ],
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV (with a header).")] = False,
    as_json: Annotated[bool, AS_JSON] = False,
) -> None:
    """Run one query on the warehouse, read-only; print a table, CSV or JSON rows.

    The connection reads the warehouse and nothing else: no ATTACH, COPY, EXPORT, file
    functions (read_csv, glob), extensions, SET or PRAGMA. For those, open an export's
    snapshot in your own DuckDB.
    """
    settings: Settings = ctx.obj
    single_select(query)  # before opening: a refused text never holds the warehouse
    with open_read_only(settings.db) as con:  # fts is loaded: match_bm25 works too
        try:
            cursor = con.execute(query)
            columns = [d[0] for d in cursor.description or []]
            rows = cursor.fetchall()
        except duckdb.Error as exc:
            raise UserError(explain_refusal(exc)) from None
    if as_json:
        print(_dump([dict(zip(columns, row, strict=True)) for row in rows]))
    elif as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([["" if v is None else v for v in row] for row in rows])
    else:
        _print_table(columns, rows)


def _day(value: str | None, option: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise UserError(f"{option} {value!r} is not a date like 2017-07-01") from None


def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="Words to find, with or without accents.")],
    start: Annotated[str | None, typer.Option("--from", help="First publish day.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last publish day.")] = None,
    section: Annotated[
        str | None, typer.Option(help="Only this section (accents optional).")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Hits to show.")] = 20,
    engine: Annotated[
        str, typer.Option(help="builtin (postings, always current) or fts (the extension).")
    ] = "builtin",
    as_json: Annotated[bool, AS_JSON] = False,
) -> None:
    """Ranked search (BM25) that ignores accents and tone placement: "nong thon moi" works."""
    settings: Settings = ctx.obj
    if engine not in ("builtin", "fts"):
        raise UserError(f"--engine {engine!r}: choose builtin or fts")
    first, last = _day(start, "--from"), _day(end, "--to")
    with open_read_only(settings.db) as con:
        try:
            found = search_engine.search(con, query, first, last, section, limit, engine)  # type: ignore[arg-type]
        except ValueError as exc:
            raise UserError(str(exc)) from None
    if as_json:
        hits = [vars(hit) for hit in found.hits]
        print(_dump({"query": found.query, "engine": found.engine, "hits": hits}))
        return
    rows = [(f"{h.score:.3f}", h.published_at.strftime("%Y-%m-%d") if h.published_at else "",
             h.section, h.headline, h.url) for h in found.hits]  # fmt: skip
    title = f"{len(rows)} hits for {found.folded!r} ({found.engine})"
    _print_table(["score", "published", "section", "headline", "url"], rows, title)


def stats(ctx: typer.Context, as_json: Annotated[bool, AS_JSON] = False) -> None:
    """Articles and date span, the last runs, quarantine reasons, data quality of the last 7 days."""
    settings: Settings = ctx.obj
    with open_read_only(settings.db) as con:
        report = warehouse_stats.gather(con)
    if as_json:
        print(_dump(report))
        return
    o = report["overview"]
    out.print(
        f"[bold]{o['articles']}[/bold] articles published {o['first_published_at']} .."
        f" {o['last_published_at']}; {o['edited']} edited ({o['versions']} versions)"
    )
    for title, key in (("Last runs", "runs"), ("Quarantine reasons", "quarantine"),
                       ("Layout shares, last 7 days", "data_quality")):  # fmt: skip
        rows = report[key]
        if rows:
            _print_table(list(rows[0]), [tuple(r.values()) for r in rows], title)
    if report["checks"]:
        failing = {k: v for k, v in report["checks"]["checks"].items() if v}
        out.print(f"data checks after the last run: {failing or 'all pass'}")


def export(
    ctx: typer.Context,
    to: Annotated[Path, typer.Option("--to", help="Directory for Parquet files and a snapshot.")],
    force: Annotated[
        bool,
        typer.Option(
            help="Write into a directory holding other files (they are kept, never deleted)."
        ),
    ] = False,
    as_json: Annotated[bool, AS_JSON] = False,
) -> None:
    """Write Parquet (by year and month) and a snapshot DuckDB file to keep open freely.

    The export is written beside DIR and swapped in whole. It replaces only what an earlier
    export wrote (listed in DIR/lso-export.json): a DIR holding anything else is refused, and
    even with --force those files are kept where they are.
    """
    settings: Settings = ctx.obj
    result = export_warehouse(settings.db, to, force)
    if as_json:
        print(_dump(result))
        return
    out.print(f"snapshot: {result['snapshot']}\nparquet:  {result['parquet']}")
    out.print(", ".join(f"{table} {n}" for table, n in result["rows"].items()))  # type: ignore[attr-defined]
    if result["kept"]:
        out.print(f"kept {len(result['kept'])} files that are not the export's: {result['kept']}")  # type: ignore[arg-type]


def register(app: typer.Typer) -> None:
    for command in (sql, search, stats, export):
        app.command()(command)
