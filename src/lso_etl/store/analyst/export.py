"""`lso-etl export --to DIR`: copies analysts can keep open without ever blocking the pipeline.

DuckDB lets one process hold a file at a time, so a notebook left open on the warehouse
stops the daily run. The export holds the warehouse only while it copies, and writes:
- `DIR/parquet/<table>/year=YYYY/month=M/*.parquet` for articles and their versions
  (partitioned by the publish, or version, month in Vietnam time), one file for each
  smaller table: readable by pandas, polars, Spark or any DuckDB. An article without a publish
  date is filed under `articles/year=undated/month=undated/`, never under the month it was
  fetched (the data check `published_at_missing_in_ok_record` names it);
- `DIR/lso-snapshot.duckdb`: the whole warehouse (views, macros, search index included);
- `DIR/lso-export.json`: the manifest, naming what the export wrote (see `export_target`).
It writes the whole export into a new folder beside DIR and renames it into place, so a
snapshot someone has open keeps working (they see the old copy until they reopen), nothing
half-written is ever visible, and a failed export leaves DIR as it was. It never deletes or
overwrites a file it did not write: a DIR holding other files is refused (`force`: written
beside them, and they are kept).

Opening the snapshot: it is a copy, so holding it open blocks nobody.
`duckdb.connect("DIR/lso-snapshot.duckdb", read_only=True)` reads it (`search_articles` needs no extension).
Unlike `lso-etl sql`, such a connection may read and write other files: that is the point of
a copy (join a CSV of your own, COPY results out). To run SQL you do not trust on it, then
run `set enable_external_access = false` and `set lock_configuration = true` on it (or open it
with `store.readonly.open_read_only`): the same sandbox as `lso-etl sql`. Opened read-write
and changed, the snapshot is yours: the next export refuses to replace it until you move it.
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from lso_etl.errors import UserError
from lso_etl.store import warehouse
from lso_etl.store.analyst import export_target
from lso_etl.store.catalog import check_a_readers_schema

SNAPSHOT = export_target.SNAPSHOT
UNDATED = "undated"  # the partition of articles without a publish date
# table -> timestamp deciding its partition (None: one file); null -> `UNDATED`
PARQUET_TABLES = {
    "articles": "published_at",
    "article_versions": "valid_from",
    "article_parses": None,
    "article_authors": None,
    "runs": None,
    "url_outcomes": None,
    "fetches": None,
    "quarantine": None,
}


def export(db: Path, target: Path, force: bool = False) -> dict[str, object]:
    """Write the Parquet tree and the snapshot under `target`; returns what was written.

    Refuses (one-line `UserError`) a `target` that is a file, or that holds files this export
    does not own unless `force`; any failure leaves `target` as it was.
    """
    started = time.monotonic()
    place = export_target.Target(target, frozenset(), ())  # named in a message, if inspect fails
    try:
        place = export_target.inspect(target, force)  # an unreadable folder: one line too
        with export_target.staging_beside(place.path) as staging:
            with warehouse.connect(db, read_only=True) as con:
                # A snapshot of an older schema would carry its old search macro.
                check_a_readers_schema(con, db, warehouse.WAREHOUSE_DIR / "migrations")
                rows = _parquet(con, staging / "parquet")
                _snapshot(con, staging / SNAPSHOT)
            # Looked at again: another export (or a person) may have filled DIR while this
            # one wrote, and swapping by the first look would move their files aside.
            place = export_target.inspect(target, force)
            export_target.publish(staging, place)
    except (OSError, duckdb.Error) as exc:
        # An OSError's own text names the hidden staging folder, not the path typed.
        said = exc.strerror if isinstance(exc, OSError) else None
        reason = said or (str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        raise UserError(f"export to {place.path} failed: {reason}") from None
    return {
        "parquet": str(place.path / "parquet"),
        "snapshot": str(place.path / SNAPSHOT),
        "rows": rows,
        "kept": list(place.foreign),  # files beside the export that are not its own
        "seconds": round(time.monotonic() - started, 2),
    }


def _parquet(con: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, int]:
    folder.mkdir()
    rows = {}
    for table, moment in PARQUET_TABLES.items():
        # The path is a parameter: any folder name (quotes, spaces) is taken as it is.
        if moment is None:
            query, destination = f"select * from {table}", f"{folder / table}.parquet"
            options = "format parquet"
        else:
            local = f"timezone('Asia/Ho_Chi_Minh', {moment})"
            year, month = (f"coalesce(cast({part}({local}) as varchar), '{UNDATED}')"
                           for part in ("year", "month"))  # fmt: skip
            query = f"select *, {year} as year, {month} as month from {table}"
            destination, options = str(folder / table), "format parquet, partition_by (year, month)"
        con.execute(f"copy ({query}) to $destination ({options})", {"destination": destination})
        counted = con.execute(f"select count(*) from {table}").fetchone()
        rows[table] = int(counted[0]) if counted else 0
    return rows


def _snapshot(con: duckdb.DuckDBPyConnection, file: Path) -> None:
    source = con.execute("select current_database()").fetchone()
    assert source is not None
    # ATTACH takes no parameter: the path is quoted as a SQL string literal.
    quoted = "'" + str(file).replace("'", "''") + "'"
    con.execute(f"attach {quoted} as snapshot (read_only false)")
    try:
        con.execute(f'copy from database "{source[0]}" to snapshot')
    finally:
        con.execute("detach snapshot")
