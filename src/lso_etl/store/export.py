"""`lso-etl export --to DIR`: copies analysts can keep open without ever blocking the pipeline.

DuckDB lets one process hold a file at a time, so a notebook left open on the warehouse
stops the daily run. The export holds the warehouse only while it copies, and writes:
- `DIR/parquet/<table>/year=YYYY/month=M/*.parquet` for articles and their versions
  (partitioned by the publish, or version, month in Vietnam time), one file for each
  smaller table: readable by pandas, polars, Spark or any DuckDB;
- `DIR/lso-snapshot.duckdb`: the whole warehouse (views, macros, search index included).
Both are written beside their final names and renamed into place, so a snapshot someone
has open keeps working (they see the old copy until they reopen) and nothing half-written
is ever visible.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import duckdb

from lso_etl.store import search, warehouse

SNAPSHOT = "lso-snapshot.duckdb"
# table -> timestamp deciding its partition (None: one file)
PARQUET_TABLES = {
    "articles": "coalesce(published_at, first_seen_at)",
    "article_versions": "valid_from",
    "article_authors": None,
    "runs": None,
    "url_outcomes": None,
    "fetches": None,
    "quarantine": None,
}


def export(db: Path, target: Path) -> dict[str, object]:
    """Write the Parquet tree and the snapshot under `target`; returns what was written."""
    target.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with warehouse.connect(db, read_only=True) as con:
        rows = _parquet(con, target)
        _snapshot(con, target)
    return {
        "parquet": str(target / "parquet"),
        "snapshot": str(target / SNAPSHOT),
        "rows": rows,
        "seconds": round(time.monotonic() - started, 2),
    }


def _parquet(con: duckdb.DuckDBPyConnection, target: Path) -> dict[str, int]:
    staging = target / f".parquet-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    rows = {}
    for table, moment in PARQUET_TABLES.items():
        if moment is None:
            query = f"select * from {table}"
            destination = f"'{staging / table}.parquet' (format parquet)"
        else:
            local = f"timezone('Asia/Ho_Chi_Minh', {moment})"
            query = f"select *, year({local}) as year, month({local}) as month from {table}"
            destination = f"'{staging / table}' (format parquet, partition_by (year, month))"
        con.execute(f"copy ({query}) to {destination}")
        counted = con.execute(f"select count(*) from {table}").fetchone()
        rows[table] = int(counted[0]) if counted else 0
    final = target / "parquet"
    retired = target / f".parquet-old-{os.getpid()}"
    if final.exists():
        final.rename(retired)
    staging.rename(final)
    shutil.rmtree(retired, ignore_errors=True)
    return rows


def _snapshot(con: duckdb.DuckDBPyConnection, target: Path) -> None:
    staging = target / f".{SNAPSHOT}.{os.getpid()}"
    staging.unlink(missing_ok=True)
    search.load_fts(con)  # the fts index's macros are copied too
    source = con.execute("select current_database()").fetchone()
    assert source is not None
    con.execute(f"attach '{staging}' as snapshot (read_only false)")
    try:
        con.execute(f'copy from database "{source[0]}" to snapshot')
    finally:
        con.execute("detach snapshot")
    staging.replace(target / SNAPSHOT)
