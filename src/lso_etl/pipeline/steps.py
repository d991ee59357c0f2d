"""The steps a run strings together, free of any orchestration: plan, fetch+parse a batch, load.

Flows wrap these in Prefect tasks (through `lso_etl.pipeline.run`); tests and benchmarks call them
bare. Fetch+parse and load are separate steps on purpose: a batch can be crawled on one
machine and loaded on another.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import duckdb

from lso_etl.crawl import archive
from lso_etl.crawl.completeness import cut_short, is_challenge
from lso_etl.crawl.discovery.discover import discover
from lso_etl.crawl.fetch import Fetcher
from lso_etl.errors import UserError
from lso_etl.extract.parse import parse_page
from lso_etl.models import (
    ArchiveRecord,
    ArticleRef,
    CrawlItem,
    FetchResult,
    Outcome,
    RawPage,
    UrlOutcome,
)
from lso_etl.settings import Settings
from lso_etl.site.discovery import DISCOVERY
from lso_etl.store import loading, warehouse
from lso_etl.store.catalog import has_table
from lso_etl.store.crawl_state import archive_index, frontier

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class Job:
    """One candidate to crawl, and how: from the archive (no request) or conditionally."""

    ref: ArticleRef
    archived: tuple[str, int] | None = None  # (WARC file, offset) of a page fetched earlier
    validators: Mapping[str, str] | None = None  # If-None-Match / If-Modified-Since


def daily_window(high_water: datetime | None, today: date, overlap_days: int) -> tuple[date, date]:
    """From the newest stored article minus the overlap (late edits) up to today.

    After missed runs this naturally catches up, because the mark is what was stored, not
    the date of the last run. An empty warehouse starts `overlap_days` before today.
    """
    newest = high_water.date() if high_water else today
    return min(newest, today) - timedelta(days=overlap_days), today


def plan(
    refs: Sequence[ArticleRef],
    known: set[str],
    recheck_from: date | None,
    states: Mapping[str, frontier.State] | None = None,
    now: datetime | None = None,
) -> tuple[list[ArticleRef], list[UrlOutcome]]:
    """Split candidates into those to fetch and those that end this run without a request.

    A stored article, or one a previous run ended finally (a 404, a quarantined page), is
    fetched again only inside the re-check window (the daily run's overlap, for late edits);
    a backfill passes None and never fetches twice. A `gave_up` URL waits for its next try.
    """
    states = states or {}
    now = now or datetime.now(UTC)
    todo, ended = [], []
    for ref in refs:
        state = states.get(ref.article_id)
        due = (
            recheck_from is not None and ref.seen_date is not None and ref.seen_date >= recheck_from
        )
        if due:
            todo.append(ref)
        elif ref.article_id in known:
            ended.append(_outcome(ref, Outcome.SKIPPED, "already stored"))
        elif state is not None and state.state == "done" and not _archive_may_read(ref, state):
            ended.append(_outcome(ref, Outcome.SKIPPED, f"ended earlier: {state.last_outcome}"))
        elif state is not None and state.next_try is not None and state.next_try > now:
            ended.append(_outcome(ref, Outcome.GAVE_UP, f"next try after {state.next_try}"))
        else:
            todo.append(ref)
    return todo, ended


def _archive_may_read(ref: ArticleRef, state: frontier.State) -> bool:
    """The site's robots.txt ended it, but a web archive holds a copy (issue 15)."""
    return bool(ref.captures) and state.last_outcome == Outcome.ROBOTS_DISALLOWED.value


def _outcome(ref: ArticleRef, outcome: Outcome, detail: str) -> UrlOutcome:
    return UrlOutcome(ref.url, ref.article_id, outcome, detail, ref.found_by)


def crawl_batch(fetcher: Fetcher, jobs: Sequence[Job]) -> list[CrawlItem]:
    """Fetch (or read from the archive) and parse a batch; failures are captured, never raised.

    With `concurrency` > 1 the jobs run in that many threads (the Fetcher still paces and
    bounds requests per host); items come back in job order either way.
    """
    workers = max(1, fetcher.settings.concurrency)
    if workers == 1 or len(jobs) < 2:
        return [crawl_one(fetcher, job) for job in jobs]
    with ThreadPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
        return list(pool.map(lambda job: crawl_one(fetcher, job), jobs))


def crawl_one(fetcher: Fetcher, job: Job) -> CrawlItem:
    fetched = _from_archive(fetcher, job) if job.archived is not None else None
    if fetched is None:
        fetched = fetcher.fetch(job.ref, dict(job.validators) if job.validators else None)
    parsed = parse_page(fetched.page) if fetched.page is not None else None
    return CrawlItem(fetched, parsed)


def not_the_page(page: RawPage) -> bool:
    """An archived response that is not the article: cut short in transit, or a challenge."""
    return bool(
        cut_short(page.status, page.headers.get("content-type"), page.content)
        or is_challenge(page.content, DISCOVERY.challenge_markers)
    )


def _from_archive(fetcher: Fetcher, job: Job) -> FetchResult | None:
    """The page an interrupted run archived; None when that record is damaged, cut short or a
    challenge: fetch afresh. (Checked here, where it is read anyway, not once more in planning.)"""
    assert job.archived is not None
    warc_file, offset = job.archived
    try:
        page = archive.read_page(fetcher.settings.archive_dir, warc_file, offset)
    except archive.DamagedRecord as exc:
        log.warning("%s: archived page unreadable (%s), fetched afresh", job.ref.url, exc)
        return None
    if not_the_page(page):
        log.warning("%s: archived page cut short or a challenge, fetched afresh", job.ref.url)
        return None
    return FetchResult(job.ref, page=page, detail="from the raw archive")


def load_items(
    settings: Settings,
    run_id: str,
    items: Sequence[CrawlItem],
    records: Sequence[ArchiveRecord] = (),
    lease: warehouse.Lease | None = None,
) -> list[UrlOutcome]:
    """Index the batch's archived responses, load its articles, record each URL's crawl state.

    One transaction, so a kill leaves the whole batch or none of it: the next run indexes the
    archive again (`archive_index.recover`) and reads those pages from it, not the network.
    """
    opened = lease.connection() if lease else warehouse.connect(settings.db)
    with opened as con, loading.transaction(con):
        archive_index.insert(con, records)
        outcomes = loading.write_batch(con, run_id, items)
        spent = {i.fetched.ref.article_id: i.fetched.requests for i in items}
        frontier.mark(con, run_id, outcomes, spent, settings.retry_gave_up_after)
        archive_index.link_fetches(con, run_id)
    return outcomes


def chunk_windows(start: date, end: date, days: int, newest_first: bool) -> list[tuple[date, date]]:
    """[start, end] cut into consecutive windows of `days` days (the last may be shorter).

    Day numbers, not `timedelta` sums: a window ending on date.max, or a huge `days`, must not
    step past the calendar (OverflowError).
    """
    windows = []
    first, last_day, width = start.toordinal(), end.toordinal(), max(1, days)
    while first <= last_day:
        last = min(last_day, first + width - 1)
        windows.append((date.fromordinal(first), date.fromordinal(last)))
        first = last + 1
    return windows[::-1] if newest_first else windows


# No article was published on a web page before the first one went public (CERN, 6 Aug 1991):
# a floor that holds for any site, so a range "from the beginning" costs a few hundred chunks,
# not the 23,000 of 0001-01-01.
FIRST_WEB_DAY = date(1991, 8, 6)


def clamp_range(start: date, end: date, today: date) -> tuple[date, date, list[str]]:
    """The part of [start, end] that can hold articles, and a note per end that was moved.

    The end moves back to today because a chunk of days to come would be recorded as finished
    while empty, and skipped by every later backfill once those days hold articles. A range
    with no such part is a mistake, refused in one line.
    """
    if start > today:
        raise UserError(f"--from {start} is after today ({today}): nothing is published yet")
    if end < FIRST_WEB_DAY:
        raise UserError(
            f"--to {end} is before the first web page ({FIRST_WEB_DAY}): no article can be there"
        )
    notes = []
    if end > today:
        notes.append(
            f"--to {end} is after today: the backfill ends today ({today}), since days to come"
            " hold no articles yet and a chunk finished empty would never be read again"
        )
        end = today
    if start < FIRST_WEB_DAY:
        notes.append(
            f"--from {start} is before the first web page: the backfill starts {FIRST_WEB_DAY}"
        )
        start = FIRST_WEB_DAY
    return start, end, notes


def site_today() -> date:
    """Today where the site publishes (Asia/Ho_Chi_Minh), whatever this machine's zone."""
    return datetime.now(ZoneInfo(warehouse.TIME_ZONE)).date()


def finished_chunks(settings: Settings) -> set[tuple[date, date]]:
    """Backfill chunks already done: completed, with no URL left in `gave_up` to retry."""
    if not settings.db.exists():
        return set()
    # A read: it must not migrate (or otherwise write), since `--dry-run` promises no writes.
    with warehouse.connect(settings.db, read_only=True) as con:
        try:
            rows = con.execute(
                "select parameters->>'start', parameters->>'end' from runs"
                " where flow = 'backfill-chunk' and status = 'completed'"
                " and coalesce(counts['gave_up'], 0) = 0"
                " and coalesce(parameters->>'source', 'site') = ?",
                [settings.source],
            ).fetchall()
        except duckdb.CatalogException:  # a file no run has migrated yet
            return set()
    return {(date.fromisoformat(a), date.fromisoformat(b)) for a, b in rows}


def dry_run(settings: Settings, start: date, end: date, chunk_days: int) -> list[dict[str, Any]]:
    """What a backfill would do, chunk by chunk: candidates, how each was found, what is new.

    Writes nothing: no warehouse, no archive (discovery requests are made, unconditionally).
    """
    done = finished_chunks(settings)
    chunks = []
    with Fetcher(settings) as fetcher:
        for first, last in chunk_windows(start, end, chunk_days, newest_first=False):
            refs = discover(fetcher, first, last, DISCOVERY.backfill_strategies)
            known, states = _stored_state(settings.db, [r.article_id for r in refs])
            todo, _ = plan(refs, known, None, states)
            chunks.append(
                {
                    "start": first,
                    "end": last,
                    "finished": (first, last) in done,
                    "to_fetch": len(todo),
                    "candidates": [
                        {**asdict(r), "state": states[r.article_id].state}
                        if r.article_id in states
                        else asdict(r)
                        for r in refs
                    ],
                }
            )
    return chunks


def _stored_state(db: Path, ids: list[str]) -> tuple[set[str], dict[str, frontier.State]]:
    if not db.exists():
        return set(), {}
    with warehouse.connect(db, read_only=True) as con:
        states = frontier.states(con, ids) if has_table(con, "frontier") else {}
        return warehouse.known_ids(con, ids), states


def batches(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), max(1, size)):
        yield list(items[start : start + size])
