"""Listing pages' date spans across runs (0130): what discovery learned about where dates lie in
each pagination, so a later backfill's search starts close. Read and written by the pipeline;
discovery gets and returns them as `ListingSpan`s and never sees the warehouse."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import duckdb

from lso_etl.models import ListingSpan


def load(con: duckdb.DuckDBPyConnection) -> list[ListingSpan]:
    rows = con.execute(
        "select listing, page, newest, oldest, seen_at from listing_spans order by listing, page"
    ).fetchall()
    return [ListingSpan(*row) for row in rows]


def save(con: duckdb.DuckDBPyConnection, spans: Iterable[ListingSpan]) -> None:
    """Keep each page's newest span: a page read again replaces what it listed before."""
    latest = {(s.listing, s.page): s for s in spans}
    if not latest:
        return
    values = list(latest.values())
    con.execute(
        "insert or replace into listing_spans"
        " select unnest($1), unnest($2), unnest($3), unnest($4), $5",
        [[s.listing for s in values], [s.page for s in values], [s.newest for s in values],
         [s.oldest for s in values], datetime.now(UTC)],
    )  # fmt: skip
