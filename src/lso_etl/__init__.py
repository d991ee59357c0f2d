"""lso-etl: Báo Lạng Sơn (baolangson.vn) articles, scraped politely into a DuckDB warehouse.

From a notebook::

    import lso_etl
    con = lso_etl.connect()          # the warehouse (LSO_DB, else warehouse/lso.duckdb), read-only
    con.sql("select section, count(*) from articles group by all").show()
    con.close()                      # a run waits while a notebook holds the file: close it

Importing this package stays light (`import lso_etl.extract...` loads no database): the
warehouse code is imported only when `connect` is called.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

__all__ = ["connect"]


def connect(
    path: str | Path | None = None, readonly: bool = True, wait_seconds: float = 30.0
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse the way `lso-etl sql` does, as a plain DuckDB connection.

    - `path`: the DuckDB file; default `LSO_DB`, else `warehouse/lso.duckdb`.
    - Waits up to `wait_seconds` while a run holds the file (DuckDB lets one process open it
      at a time, even read-only), then raises `lso_etl.errors.UserError` saying who holds it.
      A missing file raises `FileNotFoundError`; a file that is no warehouse, a `UserError`.
    - Times show in the site's zone (Asia/Ho_Chi_Minh); the views, the `search_articles`
      macro work; nothing is downloaded.
    - `readonly=False` opens it for writing: only with no run going, and at your own risk.

    Close it when done (or use `with lso_etl.connect() as con:`): while it is open, a run
    waits 30 s for it and then stops. For a copy to keep open freely, `lso-etl export`.
    """
    from lso_etl.settings import Settings
    from lso_etl.store.analyst.readonly import open_for_notebook

    file = Path(path) if path is not None else Settings.from_env().db
    return open_for_notebook(file, read_only=readonly, wait_seconds=wait_seconds)
