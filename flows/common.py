"""The shape every crawl run shares: discover, plan, then fetch+parse and load batch by batch."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from lso_etl import warehouse
from lso_etl.crawl import batches, crawl_batch, load_items, plan
from lso_etl.discover import discover
from lso_etl.fetch import Fetcher
from lso_etl.models import ArticleRef, CrawlItem, RunCounts, UrlOutcome
from lso_etl.parse import PARSER_VERSION
from lso_etl.report import RunReport, to_markdown
from lso_etl.settings import Settings

# Live objects (the polite client) are passed between tasks in-process: nothing to cache or hash.
discover_task = task(discover, name="discover", cache_policy=NO_CACHE)
crawl_task = task(crawl_batch, name="fetch-and-parse", cache_policy=NO_CACHE)
load_task = task(load_items, name="load", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)


def run_crawl(
    flow: str,
    settings: Settings,
    window: tuple[date, date],
    strategies: tuple[str, ...],
    recheck_from: date | None,
    parameters: dict[str, Any],
) -> dict[str, Any]:
    """One run: a `runs` row, every candidate's outcome recorded, a report, a summary returned.

    Raises LayoutDrift (after recording everything) when too many pages fell back or failed.
    """
    logger = get_run_logger()
    started = time.monotonic()
    run_id = open_run(flow, settings, parameters)
    report = RunReport(flow, (window[0].isoformat(), window[1].isoformat()))
    status = "failed"
    with Fetcher(settings) as fetcher:
        try:
            refs = discover_task(fetcher, *window, strategies)
            todo = skip_known(settings, run_id, refs, recheck_from, report)
            logger.info(
                "%s %s..%s: %d candidates, %d to fetch", flow, *window, len(refs), len(todo)
            )
            for batch in batches(todo, settings.batch_size):
                items: list[CrawlItem] = crawl_task(fetcher, batch)
                outcomes: list[UrlOutcome] = load_task(settings, run_id, items)
                report.add(items, outcomes)
                logger.info("batch of %d done; so far %s", len(batch), dict(report.outcomes))
            status = "completed"
        finally:
            with warehouse.connect(settings.db) as con:
                counts = RunCounts(dict(report.outcomes))
                requests, size = fetcher.requests_made, fetcher.bytes_fetched
                warehouse.finish_run(con, run_id, status, counts, requests, size)
            summary = report.summary(
                {
                    "run_id": run_id,
                    "status": status,
                    "requests": fetcher.requests_made,
                    "bytes_fetched": fetcher.bytes_fetched,
                    "seconds": round(time.monotonic() - started, 2),
                    "respect_robots": settings.respect_robots,
                }
            )
            create_markdown_artifact(
                markdown=to_markdown(summary), key=f"{flow}-report", description="run report"
            )
            logger.info("run summary: %s", summary)
    report.check_drift(settings.drift_threshold)
    return summary


def open_run(flow: str, settings: Settings, parameters: dict[str, Any]) -> str:
    with warehouse.connect(settings.db) as con:
        warehouse.migrate(con)
        warehouse.refuse_mixed_origins(con, settings.base_url)
        return warehouse.start_run(
            con, flow, parameters, settings.base_url, settings.respect_robots, PARSER_VERSION
        )


def skip_known(
    settings: Settings,
    run_id: str,
    refs: Sequence[ArticleRef],
    recheck_from: date | None,
    report: RunReport,
) -> list[ArticleRef]:
    with warehouse.connect(settings.db) as con:
        known = warehouse.known_ids(con, [r.article_id for r in refs])
        todo, skipped = plan(refs, known, recheck_from)
        warehouse.record_outcomes(con, run_id, skipped)
    report.add([], skipped)
    return todo


def settings_for(base_url: str | None, db: str | None, min_delay: float | None) -> Settings:
    """Settings of a flow run: environment first, then the flow's explicit parameters."""
    return Settings.from_env(base_url=base_url, db=Path(db) if db else None, min_delay=min_delay)
