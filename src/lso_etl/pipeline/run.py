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
from datetime import date
from typing import Any, Protocol

from lso_etl.crawl.archive import RunArchive
from lso_etl.crawl.archives.fetcher import ArchiveFetcher
from lso_etl.crawl.discovery.discover import Discovery, discover_with_cache
from lso_etl.crawl.fetch import Fetcher
from lso_etl.crawl.robots import RobotsMemo
from lso_etl.extract.parse import PARSER_VERSION
from lso_etl.models import ArchiveRecord, CrawlItem, RunCounts, UrlOutcome
from lso_etl.pipeline import interrupt, robots_state
from lso_etl.pipeline.archives.home import claim_archive, warcinfo
from lso_etl.pipeline.archives.summary import backfill_fields
from lso_etl.pipeline.chunks import failure_line, run_chunks
from lso_etl.pipeline.jobs import plan_jobs
from lso_etl.pipeline.range_discovery import BackfillScope
from lso_etl.pipeline.report import RunReport
from lso_etl.pipeline.sources import chunk_parameters, with_source
from lso_etl.pipeline.steps import (
    Job,
    batches,
    chunk_windows,
    crawl_batch,
    finished_chunks,
    load_items,
    plan,
)
from lso_etl.pipeline.writer import hold_writer, one_writer, refuse_mixed_origins
from lso_etl.settings import Settings
from lso_etl.site.discovery import DISCOVERY
from lso_etl.store import warehouse
from lso_etl.store.analyst import search
from lso_etl.store.crawl_state import (
    archive_identity,
    archive_index,
    archive_known,
    frontier,
    listing_spans,
)

log = logging.getLogger(__name__)


class Pending(Protocol):
    """A step running in the background: a concurrent.futures.Future or a PrefectFuture."""

    def result(self) -> Any: ...


@dataclass(frozen=True)
class Steps:
    """The steps of a run, bare or wrapped by an orchestrator."""

    discover: Callable[..., Discovery]
    submit_crawl: Callable[[Fetcher, Sequence[Job]], Pending]
    load: Callable[
        [Settings, str, Sequence[CrawlItem], Sequence[ArchiveRecord], warehouse.Lease],
        list[UrlOutcome],
    ]
    logger: Callable[[], logging.Logger | logging.LoggerAdapter[logging.Logger]] = lambda: log
    # The run's client: the site's Fetcher, or one that reads web archives (pipeline.sources).
    open_fetcher: Callable[..., Fetcher] = lambda settings, lease, **options: Fetcher(
        settings, **options
    )
    source: Any = None  # the ArchiveSource these steps read, if any


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
    check_data: bool = True,
    robots: RobotsMemo | None = None,
) -> dict[str, Any]:
    """One run: a `runs` row, every candidate's outcome recorded, a summary returned.

    Raises LayoutDrift (after recording everything) when too many pages fell back or failed.
    `check_data=False` skips the data checks (a backfill runs them after its last chunk);
    `robots` is robots.txt as a backfill's earlier chunks read it.
    """
    steps = with_source(settings, steps)
    if steps.source is not None:  # a backfill flow's chunk: the source its scope reads
        settings = steps.source.for_run(settings)
    logger = steps.logger()
    started = time.monotonic()
    report = RunReport(flow, (window[0].isoformat(), window[1].isoformat()))
    status = "failed"
    with (
        one_writer(settings, flow),
        warehouse.Lease.for_run(settings.db, settings.writer_memory) as lease,
    ):
        run_id, info = open_run(lease, flow, settings, parameters)
        with lease.connection() as con:  # robots.txt as read within 24 h needs no request
            robots = robots_state.remembered(con, robots)
        archive = RunArchive(settings.archive_dir, run_id, info)
        with steps.open_fetcher(
            settings, lease, recorder=archive, robots_memo=robots, sleep=interrupt.sleep
        ) as fetcher:
            run = Run(settings, run_id, fetcher, archive, lease, steps, report, check_data)
            try:
                jobs = prepare(run, window, strategies, recheck_from)
                logger.info("%s %s..%s: %d to crawl", flow, *window, len(jobs))
                _crawl_and_load(run, jobs)
                if steps.source is not None:
                    steps.source.check_complete()  # `auto` with a source down: not finished
                status = "completed"
            finally:
                if status == "failed" and interrupt.requested():  # SIGTERM/SIGINT: cli.signals
                    status = "interrupted"
                archive.close()
                finish_run(run, status, archive.drain())
                run.wait_on_network()  # the warehouse is free before the report goes out
                summary = report.summary(
                    {"run_id": run_id, "status": status, "requests": fetcher.requests_made,
                     "bytes_fetched": fetcher.bytes_fetched, "archived": archive.records,
                     "seconds": round(time.monotonic() - started, 2),
                     "respect_robots": settings.respect_robots, "source": settings.source,
                     **(steps.source.summary(fetcher) if steps.source is not None else {})}
                )  # fmt: skip
                if on_summary is not None:
                    on_summary(summary)
                logger.info("run summary: %s", summary)
    report.check_drift(settings.drift_threshold)
    return summary


@dataclass(frozen=True)
class Run:
    """What every step of one run shares."""

    settings: Settings
    run_id: str
    fetcher: Fetcher
    archive: RunArchive
    lease: warehouse.Lease
    steps: Steps
    report: RunReport
    check_data: bool = True

    def wait_on_network(self) -> None:
        """Give the warehouse back while the run waits, unless it is not paced (see Lease)."""
        self.lease.pause(keep=self.fetcher.delay == 0)


def _crawl_and_load(run: Run, jobs: Sequence[Job]) -> None:
    """Load batch N while batch N+1 is fetched; never more than one batch ahead."""
    pending: Pending | None = None
    try:
        for batch in batches(jobs, run.settings.batch_size):
            if pending is None:
                pending = run.steps.submit_crawl(run.fetcher, batch)
                continue
            items = pending.result()
            pending = run.steps.submit_crawl(run.fetcher, batch)
            _load(run, items)
        if pending is not None:
            items, pending = pending.result(), None
            _load(run, items)
    finally:
        # A failed load: let the batch in flight finish first. Told to stop: abandon it (its
        # paced waits end at once; what it fetched is archived for the next run).
        if pending is not None and not interrupt.requested():
            try:
                pending.result()
            except Exception:  # its own outcome is irrelevant now; the load error is raised
                log.debug("batch in flight at a failure ended with an error", exc_info=True)


def _load(run: Run, items: list[CrawlItem]) -> None:
    records = run.archive.drain()
    try:
        outcomes = run.steps.load(run.settings, run.run_id, items, records, run.lease)
    except BaseException:
        run.archive.requeue(records)  # indexed when the run closes, whatever happened here
        raise
    run.wait_on_network()
    run.report.add(items, outcomes)
    run.steps.logger().info("batch of %d done; so far %s", len(items), dict(run.report.outcomes))


def open_run(
    lease: warehouse.Lease, flow: str, settings: Settings, parameters: dict[str, Any]
) -> tuple[str, dict[str, str]]:
    """Migrate, refuse mixed origins, index what an interrupted run archived (never another
    warehouse's files), start a run. Returns its id and its WARC file's warcinfo fields."""
    with lease.connection() as con:
        if not lease.migrated:  # once per lease: a backfill's chunks share one
            warehouse.migrate(con)
            lease.migrated = True
        warehouse.refuse_mixed_origins(con, settings.base_url, settings.archive_urls)
        recovered = claim_archive(con, settings).records
        origin = warehouse.origin_of(settings.base_url, settings.archive_urls)
        run_id = warehouse.start_run(
            con, flow, parameters, settings.base_url, settings.respect_robots, PARSER_VERSION,
            origin,
        )  # fmt: skip
        archive_known.stamp_run(con, run_id, settings.source)
        # Archived by a killed run, never loaded: this or a later run reads them from the archive.
        frontier.mark_archived(con, [r.article_id for r in recovered if r.article_id], run_id)
        return run_id, warcinfo(flow, settings, run_id, archive_identity.warehouse_id(con))


def prepare(
    run: Run, window: tuple[date, date], strategies: tuple[str, ...], recheck_from: date | None
) -> list[Job]:
    """Discover, then plan: what ends without a request is recorded now, the rest becomes jobs."""
    with run.lease.connection() as con:
        cache = frontier.load_documents(con)
        spans = listing_spans.load(con)
    run.wait_on_network()
    # robots.txt before the discover step: a dead site fails the run here, in one line, not
    # inside a Prefect task that would print its traceback first.
    run.fetcher.check_reachable()
    found: Discovery = run.steps.discover(run.fetcher, *window, strategies, cache, spans=spans)
    refs = found.refs
    ids = [r.article_id for r in refs]
    with run.lease.connection() as con:
        con.execute("begin")
        frontier.save_documents(con, found.documents)
        listing_spans.save(con, found.spans)
        frontier.enqueue(con, refs, run.run_id)
        known, states = warehouse.known_ids(con, ids), frontier.states(con, ids)
        todo, ended = plan(refs, known, recheck_from, states)
        warehouse.record_outcomes(con, run.run_id, ended)
        frontier.mark(con, run.run_id, ended, {}, run.settings.retry_gave_up_after)
        con.execute("commit")
        planned = plan_jobs(con, todo, known, states, run.settings.archive_dir)
    run.report.add([], ended)
    log.info("%d candidates (%d discovery documents unchanged)", len(refs), found.not_modified)
    return planned


def finish_run(run: Run, status: str, rows: Sequence[ArchiveRecord]) -> None:
    with run.lease.connection() as con:
        archive_index.insert(con, rows)
        counts = RunCounts(dict(run.report.outcomes))
        fetcher = run.fetcher
        warehouse.finish_run(
            con, run.run_id, status, counts, fetcher.requests_made, fetcher.bytes_fetched,
            run.check_data,
        )  # fmt: skip
        robots_state.keep(con, fetcher.robots_memo)
        if isinstance(fetcher, ArchiveFetcher):  # what it read, not the `auto` it was asked
            archive_known.stamp_run(con, run.run_id, fetcher.fetched_from)


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
    windows = chunk_windows(start, end, chunk_days or settings.chunk_days, False)
    # The writer lock before reading what is finished: a run that waited sees the other's work.
    with one_writer(settings, "backfill"), hold_writer(settings):
        refuse_mixed_origins(settings)  # once, not once per chunk
        done = finished_chunks(settings)
        to_run = [window for window in windows if window not in done]
        scope = BackfillScope.for_chunks(to_run, with_source(settings, steps))

        summaries: list[dict[str, Any]] = []

        def chunk(first: date, last: date) -> dict[str, Any]:
            summaries.append(run_window(
                "backfill-chunk", settings, (first, last), DISCOVERY.backfill_strategies, None,
                chunk_parameters(settings, first, last), scope.steps,
                check_data=(first, last) == to_run[-1], robots=scope.robots,
            ))  # fmt: skip
            return summaries[-1]

        tally = run_chunks(to_run, chunk)
    refresh_search(settings)  # as the flow does: search current at the end
    result = {"chunks_run": len(to_run), "chunks_failed": tally.failed, "counts": tally.counts,
              "chunks_not_run": tally.not_run, **backfill_fields(summaries)}  # fmt: skip
    if tally.failed:
        result["failure"] = failure_line(tally, len(windows))
    return result


def refresh_search(settings: Settings) -> dict[str, float]:
    """Search's postings re-sorted after a run if need be, under the writer's memory cap.

    Returns the seconds spent.
    """
    lease = warehouse.Lease.for_run(settings.db, settings.writer_memory)
    with lease, lease.connection() as con:
        return search.refresh_search(con)
