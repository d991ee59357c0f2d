"""Backfill: every article published in a date range, in chunks that fail and resume alone."""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.states import Failed

from flows.common import (
    LOGGED_STEPS,
    refresh_after_failure,
    refresh_search_task,
    run_crawl,
    settings_for,
)
from lso_etl.errors import UserError
from lso_etl.pipeline import interrupt
from lso_etl.pipeline.report import progress_log
from lso_etl.pipeline.run import hold_writer
from lso_etl.pipeline.steps import chunk_windows, clamp_range, finished_chunks, site_today
from lso_etl.site.discovery import DISCOVERY


@task(name="backfill-chunk", cache_policy=NO_CACHE)
def backfill_chunk(
    start: date,
    end: date,
    base_url: str | None,
    db: str | None,
    min_delay: float | None,
    check_data: bool = True,
) -> dict[str, Any]:
    """One chunk of a backfill: its own run, report and retries.

    A task, not a subflow, with its steps run bare inside: at pacing off a month's chunk
    crawls in about two seconds, and a subflow (or a task per batch) cost a large share of
    that in orchestration (bench/RESULTS.md). Sitemaps first; section listings are walked only when
    no sitemap lists the range, because walking years of listing pages at one request a
    second would take hours.
    """
    settings = settings_for(base_url, db, min_delay)
    parameters = {"start": start, "end": end}
    strategies = DISCOVERY.backfill_strategies
    try:
        return run_crawl(
            "backfill-chunk", settings, (start, end), strategies, None, parameters, LOGGED_STEPS,
            check_data,
        )  # fmt: skip
    except UserError as exc:  # site unreachable, sitemap lost, warehouse busy: retried all the
        return Failed(message=str(exc))  # type: ignore[return-value]  # same, minus a traceback


@flow(name="backfill")
def backfill(
    start: date,
    end: date,
    base_url: str | None = None,
    db: str | None = None,
    min_delay: float | None = None,
    chunk_days: int | None = None,
    newest_first: bool = False,
) -> dict[str, Any]:
    """Split [start, end] into chunks; skip chunks a previous run finished; a failed chunk
    does not sink the others, and a rerun of the same range picks it up again; the run then
    ends Failed (calling the flow raises `prefect.exceptions.FailedRun` with the message)."""
    if end < start:
        raise ValueError(f"backfill range is empty: {start} is after {end}")
    logger = get_run_logger()
    settings = settings_for(base_url, db, min_delay)
    try:
        start, end, notes = clamp_range(start, end, site_today())
        done = finished_chunks(settings)
    except UserError as exc:  # a range with no day to crawl, an unusable warehouse: one line
        return Failed(message=str(exc))  # type: ignore[return-value]  # callers get FailedRun
    for note in notes:
        logger.warning(note)
    windows = chunk_windows(start, end, chunk_days or settings.chunk_days, newest_first)
    chunk = backfill_chunk.with_options(
        retries=settings.chunk_retries, retry_delay_seconds=settings.chunk_retry_delay
    )
    results, failed = [], []
    to_run = [window for window in windows if window not in done]
    progress_log.info("backfill of %d chunks", len(windows), extra={"total": len(windows)})
    for first, last in sorted(done & set(windows)):
        logger.info("chunk %s..%s already finished: skipped", first, last)
        progress_log.info("chunk skipped", extra={"advance": 1})
    with hold_writer(settings):
        for first, last in to_run:
            interrupt.check()  # told to stop: no new chunk (this one may have ended "failed")
            # The data checks read whole tables: once, after the last chunk.
            last_chunk = (first, last) == to_run[-1]
            state = chunk(first, last, base_url, db, min_delay, last_chunk, return_state=True)
            if state.is_completed():
                results.append(state.result())
                loaded = results[-1]["counts"].get("loaded", 0)
                progress_log.info("chunk done", extra={"advance": 1, "articles": loaded})
            else:
                progress_log.info("chunk failed", extra={"advance": 1})
                failed.append(f"{first}..{last}")
                logger.error("chunk %s..%s failed: %s", first, last, state.message)
    interrupt.check()  # a chunk cut short by a stop is no failure to report or refresh after
    summary = _merge(start, end, results, len(windows), failed)
    if failed:  # what the other chunks loaded is searchable all the same
        refresh_after_failure(settings)
        # A failed state, not an exception: each chunk's error is logged already, and the
        # caller (`lso-etl backfill`, a deployment run) gets one line, not a traceback.
        return Failed(  # type: ignore[return-value]  # the run's final state; callers get FailedRun
            message=f"{len(failed)} of {len(windows)} chunks failed ({', '.join(failed)});"
            " rerun to finish them"
        )
    summary["search_refresh"] = refresh_search_task(settings)
    return summary


def _merge(
    start: date, end: date, results: list[dict[str, Any]], chunks: int, failed: list[str]
) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for result in results:
        for key, value in result["counts"].items():
            counts[key] = counts.get(key, 0) + value
    return {
        "flow": "backfill",
        "window": [start.isoformat(), end.isoformat()],
        "chunks": chunks,
        "chunks_run": len(results),
        "chunks_failed": failed,
        "counts": counts,
        "new": sum(r["new"] for r in results),
        "updated": sum(r["updated"] for r in results),
        "requests": sum(r["requests"] for r in results),
        "bytes_fetched": sum(r["bytes_fetched"] for r in results),
        "seconds": round(sum(r["seconds"] for r in results), 2),
    }
