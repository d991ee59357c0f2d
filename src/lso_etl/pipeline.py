"""One crawl run as library calls: open, discover, plan, then fetch+parse and load batch by batch.

The Prefect flows (flows/common.py) run exactly this with each step wrapped in a task; tests
and the benchmark run it bare (`BARE`), which is also how the flow engine's own cost is
measured. While a batch loads, the next one is already being fetched (DuckDB releases the
GIL), so the politeness budget, not the pipeline, sets a paced run's wall time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol

from lso_etl import archive_index, frontier, warehouse
from lso_etl.archive import ArchiveRecord, RunArchive
from lso_etl.crawl import (
    Job,
    batches,
    chunk_windows,
    crawl_batch,
    finished_chunks,
    load_items,
    plan,
)
from lso_etl.discover import Discovery, discover_with_cache
from lso_etl.fetch import Fetcher
from lso_etl.models import ArticleRef, CrawlItem, RunCounts, UrlOutcome
from lso_etl.parse import PARSER_VERSION
from lso_etl.report import RunReport
from lso_etl.settings import Settings
from lso_etl.site.discovery import DISCOVERY

log = logging.getLogger(__name__)


class Pending(Protocol):
    """A step running in the background: a concurrent.futures.Future or a PrefectFuture."""

    def result(self) -> Any: ...


@dataclass(frozen=True)
class Steps:
    """The steps of a run, bare or wrapped by an orchestrator."""

    discover: Callable[..., Discovery]
    submit_crawl: Callable[[Fetcher, Sequence[Job]], Pending]
    load: Callable[[Settings, str, Sequence[CrawlItem], Sequence[ArchiveRecord]], list[UrlOutcome]]
    logger: Callable[[], logging.Logger | logging.LoggerAdapter[logging.Logger]] = lambda: log


_BACKGROUND = ThreadPoolExecutor(max_workers=2, thread_name_prefix="crawl")


def _submit(fetcher: Fetcher, jobs: Sequence[Job]) -> Future[list[CrawlItem]]:
    return _BACKGROUND.submit(crawl_batch, fetcher, jobs)


BARE = Steps(discover=discover_with_cache, submit_crawl=_submit, load=load_items)


def run_window(
    flow: str,
    settings: Settings,
    window: tuple[date, date],
    strategies: tuple[str, ...],
    recheck_from: date | None,
    parameters: dict[str, Any],
    steps: Steps = BARE,
    on_summary: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """One run: a `runs` row, every candidate's outcome recorded, a summary returned.

    Raises LayoutDrift (after recording everything) when too many pages fell back or failed.
    """
    logger = steps.logger()
    started = time.monotonic()
    run_id = open_run(flow, settings, parameters)
    report = RunReport(flow, (window[0].isoformat(), window[1].isoformat()))
    status = "failed"
    archive = RunArchive(settings.archive_dir, run_id, _warcinfo(flow, settings, run_id))
    with Fetcher(settings, recorder=archive) as fetcher:
        try:
            jobs = prepare(
                settings, run_id, fetcher, steps, window, strategies, recheck_from, report
            )
            logger.info("%s %s..%s: %d to crawl", flow, *window, len(jobs))
            _crawl_and_load(settings, run_id, fetcher, archive, steps, jobs, report)
            status = "completed"
        finally:
            archive.close()
            finish_run(settings, run_id, status, report, fetcher, archive.drain())
            summary = report.summary(
                {"run_id": run_id, "status": status, "requests": fetcher.requests_made,
                 "bytes_fetched": fetcher.bytes_fetched, "archived": archive.records,
                 "seconds": round(time.monotonic() - started, 2),
                 "respect_robots": settings.respect_robots}
            )  # fmt: skip
            if on_summary is not None:
                on_summary(summary)
            logger.info("run summary: %s", summary)
    report.check_drift(settings.drift_threshold)
    return summary


def _crawl_and_load(
    settings: Settings,
    run_id: str,
    fetcher: Fetcher,
    archive: RunArchive,
    steps: Steps,
    jobs: Sequence[Job],
    report: RunReport,
) -> None:
    """Load batch N while batch N+1 is fetched; never more than one batch ahead."""
    pending: Pending | None = None
    try:
        for batch in batches(jobs, settings.batch_size):
            if pending is None:
                pending = steps.submit_crawl(fetcher, batch)
                continue
            items = pending.result()
            pending = steps.submit_crawl(fetcher, batch)
            _load(settings, run_id, archive, steps, items, report)
        if pending is not None:
            items, pending = pending.result(), None
            _load(settings, run_id, archive, steps, items, report)
    finally:
        if pending is not None:  # a failed load: let the batch in flight finish first
            try:
                pending.result()
            except Exception:  # its own outcome is irrelevant now; the load error is raised
                log.debug("batch in flight at a failure ended with an error", exc_info=True)


def _load(
    settings: Settings,
    run_id: str,
    archive: RunArchive,
    steps: Steps,
    items: list[CrawlItem],
    report: RunReport,
) -> None:
    records = archive.drain()
    try:
        outcomes = steps.load(settings, run_id, items, records)
    except BaseException:
        archive.requeue(records)  # indexed when the run closes, whatever happened here
        raise
    report.add(items, outcomes)
    steps.logger().info("batch of %d done; so far %s", len(items), dict(report.outcomes))


def open_run(flow: str, settings: Settings, parameters: dict[str, Any]) -> str:
    """Migrate, refuse mixed origins, index what an interrupted run archived, start a run."""
    with warehouse.connect(settings.db) as con:
        warehouse.migrate(con)
        warehouse.refuse_mixed_origins(con, settings.base_url)
        archive_index.recover(con, settings.archive_dir)
        return warehouse.start_run(
            con, flow, parameters, settings.base_url, settings.respect_robots, PARSER_VERSION
        )


def prepare(
    settings: Settings,
    run_id: str,
    fetcher: Fetcher,
    steps: Steps,
    window: tuple[date, date],
    strategies: tuple[str, ...],
    recheck_from: date | None,
    report: RunReport,
) -> list[Job]:
    """Discover, then plan: what ends without a request is recorded now, the rest becomes jobs."""
    with warehouse.connect(settings.db) as con:
        cache = frontier.load_documents(con)
    found: Discovery = steps.discover(fetcher, *window, strategies, cache)
    refs = found.refs
    ids = [r.article_id for r in refs]
    with warehouse.connect(settings.db) as con:
        con.execute("begin")
        frontier.save_documents(con, found.documents)
        frontier.enqueue(con, refs, run_id)
        known, states = warehouse.known_ids(con, ids), frontier.states(con, ids)
        todo, ended = plan(refs, known, recheck_from, states)
        warehouse.record_outcomes(con, run_id, ended)
        frontier.mark(con, run_id, ended, {}, settings.retry_gave_up_after)
        con.execute("commit")
        jobs = _jobs(con, todo, known, states)
    report.add([], ended)
    log.info("%d candidates (%d discovery documents unchanged)", len(refs), found.not_modified)
    return jobs


def _jobs(
    con: Any, todo: Sequence[ArticleRef], known: set[str], states: dict[str, frontier.State]
) -> list[Job]:
    """A stored article is re-checked conditionally; a page an unfinished run archived is read
    from the archive, not fetched again (a finished one is fetched afresh when it is due)."""
    recheck = [r for r in todo if r.article_id in known]
    validators = archive_index.validators(con, [r.url for r in recheck])
    unfinished = [
        r.article_id
        for r in todo
        if r.article_id not in known and getattr(states.get(r.article_id), "state", "") != "done"
    ]
    archived = archive_index.archived_pages(con, unfinished)
    return [
        Job(r, archived.get(r.article_id), validators.get(r.url) if r.article_id in known else None)
        for r in todo
    ]


def finish_run(
    settings: Settings,
    run_id: str,
    status: str,
    report: RunReport,
    fetcher: Fetcher,
    rows: Sequence[ArchiveRecord],
) -> None:
    with warehouse.connect(settings.db) as con:
        archive_index.insert(con, rows)
        counts = RunCounts(dict(report.outcomes))
        warehouse.finish_run(
            con, run_id, status, counts, fetcher.requests_made, fetcher.bytes_fetched
        )


def _warcinfo(flow: str, settings: Settings, run_id: str) -> dict[str, str]:
    return {
        "software": "lso-etl",
        "format": "WARC File Format 1.0",
        "isPartOf": f"{flow} run {run_id}",
        "operator": settings.contact,
        "http-header-user-agent": settings.user_agent,
        "robots": "obey" if settings.respect_robots else "ignore (LSO_RESPECT_ROBOTS=false)",
        "base-url": settings.base_url,
        "parser-version": PARSER_VERSION,
        "created": datetime.now(UTC).isoformat(),
    }


def backfill(
    settings: Settings,
    start: date,
    end: date,
    chunk_days: int | None = None,
    steps: Steps = BARE,
) -> dict[str, Any]:
    """The backfill flow's work without the flow engine: chunks, each its own run, resumable.

    A failed chunk is logged and left for the next call, as `flows.backfill` does (which also
    retries it); used by tests and by the benchmark's "without Prefect" measurement.
    """
    done = finished_chunks(settings)
    counts: dict[str, int] = {}
    failed: list[str] = []
    runs = 0
    for first, last in chunk_windows(start, end, chunk_days or settings.chunk_days, False):
        if (first, last) in done:
            continue
        runs += 1
        parameters = {"start": first, "end": last}
        try:
            summary = run_window(
                "backfill-chunk", settings, (first, last), DISCOVERY.backfill_strategies,
                None, parameters, steps,
            )  # fmt: skip
        except Exception as exc:  # one chunk's failure must not sink the others
            log.error("chunk %s..%s failed: %s", first, last, exc)
            failed.append(f"{first}..{last}")
            continue
        for key, value in summary["counts"].items():
            counts[key] = counts.get(key, 0) + value
    return {"chunks_run": runs, "chunks_failed": failed, "counts": counts}
