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
from lso_etl.errors import SiteUnreachable, UserError
from lso_etl.pipeline import interrupt
from lso_etl.pipeline.archives.summary import backfill_fields
from lso_etl.pipeline.range_discovery import BackfillScope
from lso_etl.pipeline.report import progress_log
from lso_etl.pipeline.report_page import refresh_report
from lso_etl.pipeline.sources import chunk_parameters, with_choices, with_source
from lso_etl.pipeline.steps import chunk_windows, clamp_range, finished_chunks, site_today
from lso_etl.pipeline.writer import hold_writer, one_writer, refuse_mixed_origins
from lso_etl.settings import Settings
from lso_etl.site.discovery import DISCOVERY


@task(name="backfill-chunk", cache_policy=NO_CACHE)
def backfill_chunk(
    start: date,
    end: date,
    base_url: str | None,
    db: str | None,
    min_delay: float | None,
    check_data: bool = True,
    scope: BackfillScope | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """One chunk of a backfill: its own run, report and retries. `scope` is what the chunks
    share: the range's discovery, done once by the first, and robots.txt.

    A task, not a subflow, with its steps run bare inside: at pacing off a month's chunk
    crawls in about two seconds, and a subflow (or a task per batch) cost a large share of
    that in orchestration (bench/RESULTS.md). Sitemaps first; section listings are walked only when
    no sitemap lists the range, because walking years of listing pages at one request a
    second would take hours.
    """
    settings = with_choices(settings_for(base_url, db, min_delay), source, None)
    parameters = chunk_parameters(settings, start, end)
    strategies = DISCOVERY.backfill_strategies
    try:
        return run_crawl(
            "backfill-chunk", settings, (start, end), strategies, None, parameters,
            scope.steps if scope else LOGGED_STEPS, check_data, scope.robots if scope else None,
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
    source: str | None = None,
    capture: str | None = None,
) -> dict[str, Any]:
    """Split [start, end] into chunks; skip chunks a previous run finished; a failed chunk
    does not sink the others, and a rerun of the same range picks it up again; the run then
    ends Failed (calling the flow raises `prefect.exceptions.FailedRun` with the message)."""
    if end < start:
        raise ValueError(f"backfill range is empty: {start} is after {end}")
    # `source`: site | wayback | commoncrawl | auto; `capture`: earliest | latest (issue 15)
    settings = with_choices(settings_for(base_url, db, min_delay), source, capture)
    try:
        start, end, notes = clamp_range(start, end, site_today())
        with one_writer(settings, "backfill"):  # a second backfill waits, then skips our work
            refuse_mixed_origins(settings)  # once, not once per chunk and its retry
            return _chunks(settings, start, end, chunk_days, newest_first, notes)
    except UserError as exc:  # a range with no day to crawl, an unusable or busy warehouse
        return Failed(message=str(exc))  # type: ignore[return-value]  # callers get FailedRun


def _chunks(
    settings: Settings,
    start: date,
    end: date,
    chunk_days: int | None,
    newest_first: bool,
    notes: list[str],
) -> dict[str, Any]:
    logger = get_run_logger()
    for note in notes:
        logger.warning(note)
    done = finished_chunks(settings)
    windows = chunk_windows(start, end, chunk_days or settings.chunk_days, newest_first)
    chunk = backfill_chunk.with_options(
        retries=settings.chunk_retries,
        retry_delay_seconds=settings.chunk_retry_delay,
        # A dead site stays dead for the next 30 s: no retry, and no later chunk either.
        retry_condition_fn=lambda _task, _run, state: not SiteUnreachable.said(state.message),
    )
    results, failed, stopped = [], [], ""
    to_run = [window for window in windows if window not in done]
    scope = BackfillScope.for_chunks(to_run, with_source(settings, LOGGED_STEPS))
    progress_log.info("backfill of %d chunks", len(windows), extra={"total": len(windows)})
    for first, last in sorted(done & set(windows)):
        logger.info("chunk %s..%s already finished: skipped", first, last)
        progress_log.info("chunk skipped", extra={"advance": 1})
    base_url, db = settings.base_url, str(settings.db)
    with hold_writer(settings):
        for index, (first, last) in enumerate(to_run):
            interrupt.check()  # told to stop: no new chunk (this one may have ended "failed")
            # The data checks read whole tables: once, after the last chunk.
            last_chunk = (first, last) == to_run[-1]
            state = chunk(
                first, last, base_url, db, settings.min_delay, last_chunk, scope,
                settings.source, return_state=True,
            )  # fmt: skip
            if state.is_completed():
                results.append(state.result())
                loaded = results[-1]["counts"].get("loaded", 0)
                progress_log.info("chunk done", extra={"advance": 1, "articles": loaded})
                continue
            progress_log.info("chunk failed", extra={"advance": 1})
            failed.append(f"{first}..{last}")
            logger.error("chunk %s..%s failed: %s", first, last, state.message)
            if SiteUnreachable.said(state.message):
                later = len(to_run) - index - 1
                stopped = (
                    f"{state.message} (the backfill stopped at chunk {first}..{last};"
                    f" {later} later chunk(s) not run)"
                )
                break
    interrupt.check()  # a chunk cut short by a stop is no failure to report or refresh after
    summary = _merge(start, end, results, len(windows), failed)
    if failed:  # what the other chunks loaded is searchable all the same
        refresh_after_failure(settings)
        # A failed state, not an exception: each chunk's error is logged already, and the
        # caller (`lso-etl backfill`, a deployment run) gets one line, not a traceback.
        return Failed(  # type: ignore[return-value]  # the run's final state; callers get FailedRun
            message=stopped
            or f"{len(failed)} of {len(windows)} chunks failed ({', '.join(failed)});"
            " rerun to finish them"
        )
    summary["search_refresh"] = refresh_search_task(settings)
    summary["report"] = refresh_report(settings)  # the page's path, or None (logged)
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
        **backfill_fields(results),
    }
