"""The steps a flow strings together, free of any orchestration: plan, fetch+parse a batch, load.

Flows wrap these in Prefect tasks; tests and benchmarks can call them bare. Fetch+parse and
load are separate steps on purpose: a batch can be crawled on one machine and loaded on another.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from lso_etl import warehouse
from lso_etl.discover import discover
from lso_etl.fetch import Fetcher
from lso_etl.models import ArticleRef, CrawlItem, Outcome, UrlOutcome
from lso_etl.parse import parse_page
from lso_etl.settings import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")


def daily_window(high_water: datetime | None, today: date, overlap_days: int) -> tuple[date, date]:
    """From the newest stored article minus the overlap (late edits) up to today.

    After missed runs this naturally catches up, because the mark is what was stored, not
    the date of the last run. An empty warehouse starts `overlap_days` before today.
    """
    newest = high_water.date() if high_water else today
    return min(newest, today) - timedelta(days=overlap_days), today


def plan(
    refs: Sequence[ArticleRef], known: set[str], recheck_from: date | None
) -> tuple[list[ArticleRef], list[UrlOutcome]]:
    """Split candidates into those to fetch and those skipped because they are already stored.

    A stored article is fetched again only when its date is inside the re-check window (the
    daily run's overlap, for late edits); a backfill passes None and never fetches twice.
    """
    todo, skipped = [], []
    for ref in refs:
        due = (
            recheck_from is not None and ref.seen_date is not None and ref.seen_date >= recheck_from
        )
        if ref.article_id not in known or due:
            todo.append(ref)
        else:
            skipped.append(
                UrlOutcome(ref.url, ref.article_id, Outcome.SKIPPED, "already stored", ref.found_by)
            )
    return todo, skipped


def crawl_batch(fetcher: Fetcher, refs: Sequence[ArticleRef]) -> list[CrawlItem]:
    """Fetch and parse a batch of candidates; every failure is captured in the item, never raised."""
    items = []
    for ref in refs:
        fetched = fetcher.fetch(ref)
        parsed = parse_page(fetched.page) if fetched.page is not None else None
        items.append(CrawlItem(fetched, parsed))
    return items


def load_items(settings: Settings, run_id: str, items: Sequence[CrawlItem]) -> list[UrlOutcome]:
    with warehouse.connect(settings.db) as con:
        return warehouse.load_batch(con, run_id, items)


def chunk_windows(start: date, end: date, days: int, newest_first: bool) -> list[tuple[date, date]]:
    """[start, end] cut into consecutive windows of `days` days (the last may be shorter)."""
    windows = []
    first = start
    while first <= end:
        last = min(end, first + timedelta(days=max(1, days) - 1))
        windows.append((first, last))
        first = last + timedelta(days=1)
    return windows[::-1] if newest_first else windows


def finished_chunks(settings: Settings) -> set[tuple[date, date]]:
    """Backfill chunks already done: completed, with no URL left in `gave_up` to retry."""
    if not settings.db.exists():
        return set()
    with warehouse.connect(settings.db) as con:
        warehouse.migrate(con)
        rows = con.execute(
            "select parameters->>'start', parameters->>'end' from runs"
            " where flow = 'backfill-chunk' and status = 'completed'"
            " and coalesce(counts['gave_up'], 0) = 0"
        ).fetchall()
    return {(date.fromisoformat(a), date.fromisoformat(b)) for a, b in rows}


def dry_run(settings: Settings, start: date, end: date, chunk_days: int) -> list[dict[str, Any]]:
    """What a backfill would do, chunk by chunk: candidates, how each was found, what is new."""
    done = finished_chunks(settings)
    chunks = []
    with Fetcher(settings) as fetcher:
        for first, last in chunk_windows(start, end, chunk_days, newest_first=False):
            refs = discover(fetcher, first, last, ("sitemap", "listing?"))
            known: set[str] = set()
            if settings.db.exists():
                with warehouse.connect(settings.db, read_only=True) as con:
                    known = warehouse.known_ids(con, [r.article_id for r in refs])
            chunks.append(
                {
                    "start": first,
                    "end": last,
                    "finished": (first, last) in done,
                    "to_fetch": sum(r.article_id not in known for r in refs),
                    "candidates": [asdict(r) for r in refs],
                }
            )
    return chunks


def batches(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), max(1, size)):
        yield list(items[start : start + size])
