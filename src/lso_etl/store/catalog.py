"""Questions about the warehouse's own schema, asked by modules the warehouse itself imports."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from lso_etl.store.unopenable import WarehouseUnusable

log = logging.getLogger(__name__)


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """True when the open warehouse has this table in its main schema (a file migrated only part
    of the way, or never, lacks the later ones)."""
    row = con.execute(
        "select count(*) from duckdb_tables() where table_name = ?"
        " and schema_name = 'main' and database_name = current_database()",
        [name],
    ).fetchone()
    return bool(row and row[0])


def columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[str]:
    """The table's (or view's) columns, in order (from an empty result: binding this one
    relation costs less than `duckdb_columns()`, which binds every view)."""
    cursor = con.execute(f"select * from {relation} limit 0")
    return [d[0] for d in cursor.description or []]


def applied_migrations(con: duckdb.DuckDBPyConnection) -> set[str] | None:
    """The migrations recorded in the open warehouse; None without `schema_migrations`."""
    if not has_table(con, "schema_migrations"):
        return None
    return {row[0] for row in con.execute("select name from schema_migrations").fetchall()}


def pending_migrations(con: duckdb.DuckDBPyConnection, folder: Path) -> list[str]:
    """This version's migrations (files in `folder`) not applied to the open warehouse yet;
    none for a file without `schema_migrations` (not a warehouse: other checks name it)."""
    done = applied_migrations(con)
    return [] if done is None else sorted(_known_migrations(folder) - done)


def refuse_a_foreign_or_newer_schema(
    con: duckdb.DuckDBPyConnection, path: Path | str, folder: Path
) -> None:
    """Before a writer migrates: a DuckDB file of someone else's (tables, no `schema_migrations`)
    would get our 26 tables beside its own, and a warehouse a newer lso-etl wrote would get this
    version's older views and macros over its own. Neither is written to."""
    done = applied_migrations(con)
    if done is None:
        row = con.execute(
            "select (select count(*) from duckdb_tables() where not internal)"
            " + (select count(*) from duckdb_views() where not internal)"
        ).fetchone()
        if row and row[0]:
            raise WarehouseUnusable(
                f"{path} is a DuckDB file but not an lso-etl warehouse ({row[0]} table(s) or"
                " view(s) of its own, no schema_migrations): nothing was written to it; pass"
                " another --db"
            )
        return
    unknown = sorted(done - _known_migrations(folder))
    if unknown:
        raise WarehouseUnusable(
            f"{path} was written by a newer lso-etl: {_named(unknown)}; nothing was written to"
            " it; use that version or a later one"
        )


def _known_migrations(folder: Path) -> set[str]:
    return {script.name for script in folder.glob("*.sql")}


def _named(unknown: list[str]) -> str:
    more = ", …" if len(unknown) > 1 else ""
    return f"{len(unknown)} migration(s) this version does not know ({unknown[0]}{more})"


def check_a_readers_schema(con: duckdb.DuckDBPyConnection, path: Path, folder: Path) -> str | None:
    """A reader cannot migrate: on a warehouse an older lso-etl wrote, its queries would fail in
    the middle (a macro's new parameter) or answer with the old semantics. Say so at once.

    A newer lso-etl's warehouse is read, with a warning: its macros and views are the newer
    ones, stored in the file, and refusing would lock the analyst out of their own data; but a
    table or column this version does not know stays unseen, so the reader is told."""
    done = applied_migrations(con)
    if done is None:  # not a warehouse: other checks name it
        return None
    known = _known_migrations(folder)
    newer = _named(sorted(done - known)) if done - known else None
    if newer:
        log.warning(
            "%s was written by a newer lso-etl: %s; what this version shows may miss what that"
            " one added: read it with that version or a later one",
            path,
            newer,
        )
    pending = sorted(known - done)
    if pending:
        raise WarehouseUnusable(
            f"{path} was written by an older lso-etl: {len(pending)} migration(s) not applied"
            f" yet ({pending[0]}{', …' if len(pending) > 1 else ''}); run `lso-etl --db {path}"
            " upgrade` once (any run also applies them), then read it"
        )
    return newer


@contextmanager
def newer_schema_named(path: Path, newer: str | None) -> Iterator[None]:
    """On a newer lso-etl's warehouse, a query this version writes may meet a table, column or
    macro that version changed: said as that, in one line, not as DuckDB's traceback."""
    try:
        yield
    except (duckdb.CatalogException, duckdb.BinderException) as exc:
        if newer is None:
            raise
        raise WarehouseUnusable(
            f"{path} was written by a newer lso-etl ({newer}) and this version cannot read"
            f" it: {str(exc).splitlines()[0]}; read it with that version or a later one"
        ) from exc
