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
