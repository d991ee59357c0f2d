"""Questions about the warehouse's own schema, asked by modules the warehouse itself imports."""

from __future__ import annotations

from pathlib import Path

import duckdb

from lso_etl.store.unopenable import WarehouseUnusable


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


def pending_migrations(con: duckdb.DuckDBPyConnection, folder: Path) -> list[str]:
    """This version's migrations (files in `folder`) not applied to the open warehouse yet;
    none for a file without `schema_migrations` (not a warehouse: other checks name it)."""
    if not has_table(con, "schema_migrations"):
        return []
    done = {row[0] for row in con.execute("select name from schema_migrations").fetchall()}
    return sorted(script.name for script in folder.glob("*.sql") if script.name not in done)


def refuse_an_older_schema(con: duckdb.DuckDBPyConnection, path: Path, folder: Path) -> None:
    """A reader cannot migrate: on a warehouse an older lso-etl wrote, its queries would fail in
    the middle (a macro's new parameter) or answer with the old semantics. Say so at once."""
    pending = pending_migrations(con, folder)
    if pending:
        raise WarehouseUnusable(
            f"{path} was written by an older lso-etl: {len(pending)} migration(s) not applied"
            f" yet ({pending[0]}{', …' if len(pending) > 1 else ''}); run `lso-etl --db {path}"
            " upgrade` once (any run also applies them), then read it"
        )
