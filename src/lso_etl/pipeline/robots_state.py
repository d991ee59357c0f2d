"""robots.txt between runs: the crawl state's copies handed to the run's RobotsMemo at its start
and the memo's copies kept at its end (crawl never sees the warehouse)."""

from __future__ import annotations

from datetime import UTC

import duckdb

from lso_etl.crawl.robots import RobotsCopy, RobotsMemo
from lso_etl.store.crawl_state import robots_txt


def remembered(con: duckdb.DuckDBPyConnection, memo: RobotsMemo | None) -> RobotsMemo:
    """`memo` (a backfill's, shared by its chunks) or a new one, with the warehouse's copies."""
    memo = memo if memo is not None else RobotsMemo()
    copies = [RobotsCopy(url, body, etag, modified, when.astimezone(UTC))
              for url, body, etag, modified, when in robots_txt.load(con)]  # fmt: skip
    memo.remember(copies)
    return memo


def keep(con: duckdb.DuckDBPyConnection, memo: RobotsMemo | None) -> None:
    if memo is not None:
        robots_txt.save(con, [(c.url, c.body, c.etag, c.last_modified, c.fetched_at)
                              for c in memo.copies()])  # fmt: skip
