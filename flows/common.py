"""The shape every crawl run shares, with Prefect around each step of `lso_etl.pipeline`.

The run itself (discover, plan, fetch+parse and load batch by batch, crawl state, archive) is
library code; this module only wraps its steps in tasks, so they show in the UI with their
timings and the load step gets retries, and publishes the run report as an artifact.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from lso_etl.crawl import crawl_batch, load_items
from lso_etl.discover import discover_with_cache
from lso_etl.pipeline import Steps, run_window
from lso_etl.report import to_markdown
from lso_etl.settings import Settings

# Live objects (the polite client) are passed between tasks in-process: nothing to cache or hash.
discover_task = task(discover_with_cache, name="discover", cache_policy=NO_CACHE)
crawl_task = task(crawl_batch, name="fetch-and-parse", cache_policy=NO_CACHE)
load_task = task(load_items, name="load", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)

PREFECT_STEPS = Steps(
    discover=discover_task,
    submit_crawl=crawl_task.submit,  # the next batch is fetched while this one loads
    load=load_task,
    logger=get_run_logger,
)


def run_crawl(
    flow: str,
    settings: Settings,
    window: tuple[date, date],
    strategies: tuple[str, ...],
    recheck_from: date | None,
    parameters: dict[str, Any],
) -> dict[str, Any]:
    """One run of `lso_etl.pipeline.run_window`, its steps as Prefect tasks."""

    def publish(summary: dict[str, Any]) -> None:
        create_markdown_artifact(
            markdown=to_markdown(summary), key=f"{flow}-report", description="run report"
        )

    return run_window(
        flow, settings, window, strategies, recheck_from, parameters, PREFECT_STEPS, publish
    )


def settings_for(base_url: str | None, db: str | None, min_delay: float | None) -> Settings:
    """Settings of a flow run: environment first, then the flow's explicit parameters."""
    return Settings.from_env(base_url=base_url, db=Path(db) if db else None, min_delay=min_delay)
