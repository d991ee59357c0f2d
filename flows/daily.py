"""Daily: what is new since the newest stored article, re-checking a short overlap for edits."""

from __future__ import annotations

import time
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.common import run_crawl, settings_for
from lso_etl import search, warehouse
from lso_etl.crawl import daily_window
from lso_etl.settings import Settings
from lso_etl.site.discovery import DISCOVERY

SITE_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def has_fts_index(con: duckdb.DuckDBPyConnection) -> bool:
    """True when someone built the optional fts index in this warehouse (current or stale)."""
    row = con.execute(
        "select exists (select 1 from search_index where engine = 'fts')"
        " or exists (select 1 from duckdb_schemas() where schema_name = ?)",
        [search.FTS_SCHEMA],
    ).fetchone()
    return bool(row and row[0])


@task(name="refresh-search", cache_policy=NO_CACHE)
def refresh_search_task(settings: Settings) -> dict[str, float]:
    """Bring the search engines up to date once a run has loaded everything.

    The postings are re-sorted only when their unsorted tail has grown; the fts index (about
    90 s per 100,000 articles) is rebuilt only in a warehouse that already has one.
    """
    started = time.monotonic()
    with warehouse.connect(settings.db) as con:
        fts = has_fts_index(con)
        spent = search.refresh_search(con, fts=fts)
    seconds = round(time.monotonic() - started, 2)
    get_run_logger().info(
        "search refresh: %.2f s (postings re-sort %.2f s, fts rebuild %s)",
        seconds, spent["builtin"], f"{spent['fts']:.2f} s" if fts else "skipped: no fts index",
    )  # fmt: skip
    return {**spent, "seconds": seconds}


def refresh_after_failure(settings: Settings) -> None:
    """Refresh what a failed run did load, never hiding the run's own error behind this one's."""
    state = refresh_search_task(settings, return_state=True)
    if not state.is_completed():
        get_run_logger().error("search refresh failed as well: %s", state.message)


@flow(name="daily")
def daily(
    today: date | None = None,
    base_url: str | None = None,
    db: str | None = None,
    min_delay: float | None = None,
) -> dict[str, Any]:
    settings = settings_for(base_url, db, min_delay)
    today = today or datetime.now(SITE_TZ).date()
    with warehouse.connect(settings.db) as con:
        warehouse.migrate(con)
        mark = warehouse.high_water_mark(con)
    window = daily_window(mark, today, settings.overlap_days)
    parameters = {"today": today, "high_water_mark": mark}
    strategies = DISCOVERY.daily_strategies
    try:
        summary = run_crawl("daily", settings, window, strategies, window[0], parameters)
    except Exception:  # e.g. layout drift, raised after its pages were loaded
        refresh_after_failure(settings)
        raise
    summary["search_refresh"] = refresh_search_task(settings)
    return summary
