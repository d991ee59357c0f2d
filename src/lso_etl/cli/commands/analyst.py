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
from pathlib import Path
from typing import Annotated, Any

import duckdb
import typer

from lso_etl.cli import output
from lso_etl.cli.options import optional_day, ordered
from lso_etl.errors import UserError
from lso_etl.settings import Settings
from lso_etl.store.analyst import search as search_engine
from lso_etl.store.analyst import stats as warehouse_stats
from lso_etl.store.analyst.export import export as export_warehouse
from lso_etl.store.analyst.readonly import explain_refusal, open_read_only, single_select
from lso_etl.store.analyst.textnorm import fold

AS_JSON = typer.Option("--json", help="Print JSON instead of a table.")


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _csv_cell(value: Any) -> Any:
    """Lists and structs (tags, images) as JSON, which a CSV reader can take apart; never
    Python's repr (`['Bình Gia']`)."""
    if value is None:
        return ""
    return _dump(value) if isinstance(value, list | tuple | dict) else value


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
    with open_read_only(settings.db) as con:
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
        writer.writerows([[_csv_cell(v) for v in row] for row in rows])
    else:
        output.table(columns, rows)


def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="Words to find, with or without accents.")],
    start: Annotated[
        str | None, typer.Option("--from", metavar="DAY", help="First publish day.")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", metavar="DAY", help="Last publish day.")
    ] = None,
    section: Annotated[
        str | None, typer.Option(metavar="NAME", help="Only this section (accents optional).")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, metavar="N", help="Hits to show.")] = 20,
    as_json: Annotated[bool, AS_JSON] = False,
) -> None:
    """Ranked search; accents optional ("nong thon moi"), "quoted phrases" kept together.

    Every word must occur. Accents you type rank the articles that have them first, then
    those holding your words side by side; headline counts most, then lead, body, captions.
    """
    settings: Settings = ctx.obj
    if not fold(query):
        raise UserError(
            f"the search query {query!r} has no words to find: give some, e.g."
            ' lso-etl search "nong thon moi"'
        )
    first, last = optional_day(start, "--from"), optional_day(end, "--to")
    ordered(first, last)  # swapped dates would say "0 hits", as if the words were never printed
    with open_read_only(settings.db) as con:
        if section is not None and not search_engine.matching_sections(con, section):
            # Not "0 hits", as if no article held the words.
            known = search_engine.section_names(con)
            raise UserError(
                f"no section is called {section!r} (accents and case optional); this warehouse"
                f" has: {', '.join(known) if known else 'none yet'}"
            )
        found = search_engine.search(con, query, first, last, section, limit)
    if as_json:
        hits = [vars(hit) for hit in found.hits]
        print(_dump({"query": found.query, "hits": hits}))
        return
    rows = [(f"{h.score:.3f}", h.published_at.date() if h.published_at else None, h.section,
             h.headline, h.url) for h in found.hits]  # fmt: skip
    title = f"{len(rows)} hits for {found.query!r}"
    output.table(["score", "published", "section", "headline", "url"], rows, title)


def stats(ctx: typer.Context, as_json: Annotated[bool, AS_JSON] = False) -> None:
    """Articles, last runs, quarantine reasons and data quality of the last 5 runs."""
    settings: Settings = ctx.obj
    with open_read_only(settings.db) as con:
        report = warehouse_stats.gather(con)
    if as_json:
        print(_dump(report))
        return
    _print_stats(report)


def _print_stats(report: dict[str, Any]) -> None:
    o = report["overview"]
    output.line(
        f"{o['articles']} articles published {output.cell(o['first_published_at']) or '-'} .."
        f" {output.cell(o['last_published_at']) or '-'}; {o['edited']} edited"
        f" ({o['versions']} versions)"
        + (
            f"; {o['partial']} partial (robots.txt kept us from the page)"
            if o.get("partial")
            else ""
        )
        + "; read from "
        + (", ".join(f"{source} {n}" for source, n in o["by_source"].items()) or "-")
    )
    for title, key in (("Last runs", "runs"), ("Quarantine reasons", "quarantine"),
                       ("Layout shares, last 5 runs", "data_quality")):  # fmt: skip
        rows = report[key]
        if rows:
            output.table(list(rows[0]), [tuple(r.values()) for r in rows], title)
    if report["checks"]:
        failing = {k: v for k, v in report["checks"]["checks"].items() if v}
        shown = output.cell(failing) if failing else "all pass"
        output.line(f"data checks after the last run: {shown}")


def export(
    ctx: typer.Context,
    to: Annotated[
        Path,
        typer.Option("--to", metavar="DIR", help="Directory for Parquet files and a snapshot."),
    ],
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
    output.line(f"snapshot: {result['snapshot']}\nparquet:  {result['parquet']}")
    output.line(output.cell(result["rows"]))
    kept = result["kept"]
    if isinstance(kept, list) and kept:
        output.line(f"kept {len(kept)} files that are not the export's: {output.cell(kept)}")


def register(app: typer.Typer) -> None:
    for command in (sql, search, stats, export):
        app.command()(command)
