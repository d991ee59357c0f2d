"""Questions about the warehouse's own schema, asked by modules the warehouse itself imports."""

from __future__ import annotations

import duckdb


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
