"""What the warehouse tells an archive run: the stored articles' ids and days, and provenance.

Ids grow with publication time within each CMS generation, so the stored (id, day) pairs
bound the ids a publish-date range can hold (`crawl.archives.candidates`). Provenance
(`fetched_from`, `capture_time`, `capture_url`, migration 0120) is stamped on the rows a batch
wrote for pages read from an archive; the site's rows keep the column default, 'site'.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import duckdb

from lso_etl.models import CrawlItem
from lso_etl.store.catalog import columns, has_table


def stored_dates(con: duckdb.DuckDBPyConnection) -> dict[str, date]:
    """Article id -> publication day (site time) of every stored, dated article."""
    if not has_table(con, "articles"):
        return {}
    rows = con.execute(
        "select article_id, cast(timezone('Asia/Ho_Chi_Minh', published_at) as date)"
        " from articles where published_at is not null and layout <> 'partial'"
    ).fetchall()
    return {article_id: day for article_id, day in rows}


def stamp_provenance(
    con: duckdb.DuckDBPyConnection, run_id: str, items: Sequence[CrawlItem]
) -> None:
    """Name the capture on what this run wrote for each archive-read page of the batch."""
    rows = [
        (i.fetched.ref.article_id, page.capture.source, page.capture.time, page.capture.url)
        for i in items
        if (page := i.fetched.page) is not None and page.capture is not None
    ]
    if not rows or not has_table(con, "runs") or "fetched_from" not in columns(con, "articles"):
        return
    by_column = [list(column) for column in zip(*rows, strict=True)]
    for table in ("articles", "article_versions", "fetches"):
        con.execute(
            f"update {table} set fetched_from = p.source, capture_time = p.at, capture_url = p.url"
            " from (select unnest($1) as id, unnest($2) as source,"
            " unnest($3::timestamptz[]) as at, unnest($4) as url) as p"
            f" where {table}.article_id = p.id and {table}.run_id = $5",
            [*by_column, run_id],
        )


def stamp_run(con: duckdb.DuckDBPyConnection, run_id: str, source: str) -> None:
    if "fetched_from" in columns(con, "runs"):
        con.execute("update runs set fetched_from = ? where run_id = ?", [source, run_id])
