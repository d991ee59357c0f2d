"""The shape every crawl run shares, with Prefect around `lso_etl.pipeline`.

The run itself (discover, plan, fetch+parse and load batch by batch, crawl state, archive) is
library code; this module only wraps it for Prefect and publishes the run report as an
artifact. The daily run shows each step of each batch as a task (with its timing, and retries
for the load); a backfill's unit of work, retry and report is the chunk (flows/backfill.py),
whose steps run bare inside it, because a task per batch costs more in orchestration than an
unpaced batch takes to crawl.
"""

from __future__ import annotations

import logging
import time
from datetime import date
from pathlib import Path
from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from lso_etl.pipeline.report import to_markdown
from lso_etl.pipeline.report_page import refresh_report, report_path
from lso_etl.pipeline.run import BARE, Steps, refresh_search, run_window
from lso_etl.pipeline.steps import crawl_batch, load_items
from lso_etl.settings import Settings


class _NoEmptyTraceback(logging.Filter):
    """Drop the traceback request of a record logged outside any `except` block.

    Prefect 3.9's task engine logs a task that *returned* a Failed state (as a backfill chunk
    does, to fail in one line) with `exc_info=True` (`handle_retry`); with no exception being
    handled that is `(None, None, None)`, which every formatter prints as "NoneType: None".
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[0] is None:
            record.exc_info = None
        return True


# On the logger itself, so that every handler (the console, the API's run logs) gets it clean.
logging.getLogger("prefect.task_runs").addFilter(_NoEmptyTraceback())

# Live objects (the polite client) are passed between tasks in-process: nothing to cache or hash.
discover_task = task(BARE.discover, name="discover", cache_policy=NO_CACHE)
crawl_task = task(crawl_batch, name="fetch-and-parse", cache_policy=NO_CACHE)
load_task = task(load_items, name="load", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)

TASK_STEPS = Steps(
    discover=discover_task,
    submit_crawl=crawl_task.submit,  # the next batch is fetched while this one loads
    load=load_task,
    logger=get_run_logger,
)
LOGGED_STEPS = Steps(BARE.discover, BARE.submit_crawl, BARE.load, logger=get_run_logger)


def run_crawl(
    flow: str,
    settings: Settings,
    window: tuple[date, date],
    strategies: tuple[str, ...],
    recheck_from: date | None,
    parameters: dict[str, Any],
    steps: Steps = TASK_STEPS,
    check_data: bool = True,
    robots: Any = None,
) -> dict[str, Any]:
    """One run of `lso_etl.pipeline.run.run_window` under Prefect, its report as an artifact
    (`robots`: robots.txt as a backfill's earlier chunks read it)."""

    def publish(summary: dict[str, Any]) -> None:
        page = {"report": report_path(settings)}  # written when the whole flow ends
        create_markdown_artifact(
            markdown=to_markdown({**summary, **page}),
            key=f"{flow}-report",
            description="run report",
        )

    return run_window(
        flow, settings, window, strategies, recheck_from, parameters, steps, publish, check_data,
        robots,
    )  # fmt: skip


def settings_for(base_url: str | None, db: str | None, min_delay: float | None) -> Settings:
    """Settings of a flow run: environment first, then the flow's explicit parameters."""
    return Settings.from_env(base_url=base_url, db=Path(db) if db else None, min_delay=min_delay)


@task(name="refresh-search", cache_policy=NO_CACHE)
def refresh_search_task(settings: Settings) -> dict[str, float]:
    """Bring the search engines up to date once a run has loaded everything.

    The postings are re-sorted only when their unsorted tail has grown.
    """
    started = time.monotonic()
    spent = refresh_search(settings)
    seconds = round(time.monotonic() - started, 2)
    get_run_logger().info(
        "search refresh: %.2f s (postings re-sort %.2f s)", seconds, spent["builtin"]
    )
    return {**spent, "seconds": seconds}


def refresh_after_failure(settings: Settings) -> None:
    """Refresh what a failed run did load, never hiding the run's own error behind this one's."""
    state = refresh_search_task(settings, return_state=True)
    if not state.is_completed():
        get_run_logger().error("search refresh failed as well: %s", state.message)
    refresh_report(settings)  # the failed run shows on the page too; never raises
