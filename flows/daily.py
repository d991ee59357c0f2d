"""Daily: what is new since the newest stored article, re-checking a short overlap for edits."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from prefect import flow
from prefect.states import Failed

from flows.common import refresh_after_failure, refresh_search_task, run_crawl, settings_for
from lso_etl.errors import UserError
from lso_etl.pipeline import interrupt
from lso_etl.pipeline.report_page import refresh_report
from lso_etl.pipeline.steps import daily_window, site_today
from lso_etl.pipeline.writer import high_water_mark, one_writer
from lso_etl.settings import Settings
from lso_etl.site.discovery import DISCOVERY


@flow(name="daily")
def daily(
    today: date | None = None,
    base_url: str | None = None,
    db: str | None = None,
    min_delay: float | None = None,
) -> dict[str, Any]:
    # What is new is on the site: an archive holds it days later, if ever, so LSO_SOURCE
    # (meant for backfills) never turns the scheduled run into an archive crawl.
    settings = replace(settings_for(base_url, db, min_delay), source="site")
    today = today or site_today()
    try:
        # The writer lock before the high-water mark: a daily that waited for another run
        # starts from what that run loaded.
        with one_writer(settings, "daily"):
            return _daily(settings, today)
    except UserError as exc:  # busy (LSO_WHEN_BUSY=refuse) or unusable warehouse: one line
        return Failed(message=str(exc))  # type: ignore[return-value]  # callers get FailedRun


def _daily(settings: Settings, today: date) -> dict[str, Any]:
    mark = high_water_mark(settings)
    window = daily_window(mark, today, settings.overlap_days)
    parameters = {"today": today, "high_water_mark": mark}
    strategies = DISCOVERY.daily_strategies
    try:
        summary = run_crawl("daily", settings, window, strategies, window[0], parameters)
    except Exception as exc:  # what the run did load is searchable all the same
        interrupt.check()  # told to stop, the run ended by whatever the stop cut short
        refresh_after_failure(settings)
        if not isinstance(exc, UserError):  # a bug: its traceback is the report
            raise
        # Layout drift (raised after its pages were loaded), site down: the message alone.
        return Failed(message=str(exc))  # type: ignore[return-value]  # callers get FailedRun
    summary["search_refresh"] = refresh_search_task(settings)
    summary["report"] = refresh_report(settings)  # the page's path, or None (logged)
    return summary
