"""robots.txt copies across runs (0131): rows in, rows out; the crawler decides what they mean."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import duckdb

Row = tuple[
    str, str, str | None, str | None, datetime
]  # url, body, etag, last_modified, fetched_at


def load(con: duckdb.DuckDBPyConnection) -> list[Row]:
    query = "select url, body, etag, last_modified, fetched_at from robots_txt"
    return [tuple(row) for row in con.execute(query).fetchall()]


def save(con: duckdb.DuckDBPyConnection, rows: Iterable[Row]) -> None:
    for row in rows:
        con.execute("insert or replace into robots_txt values (?, ?, ?, ?, ?)", list(row))
