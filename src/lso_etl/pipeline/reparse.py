"""Rebuild articles from the raw archive with no network: how a parser fix reaches history.

Each article's newest archived page is parsed again and loaded like a fetched one: a record
whose content changed becomes a new version, an unchanged one stays, a page that used to fail
and now parses leaves quarantine's outcome behind. It is a run of its own (`flow = 'reparse'`).
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from lso_etl.crawl import archive
from lso_etl.extract.parse import PARSER_VERSION, parse_page
from lso_etl.models import ArticleRef, CrawlItem, FetchResult, ParseResult, RawPage, RunCounts
from lso_etl.pipeline.archives.home import claim_archive
from lso_etl.pipeline.steps import batches
from lso_etl.pipeline.writer import one_writer
from lso_etl.settings import Settings
from lso_etl.store import warehouse
from lso_etl.store.crawl_state import archive_index, frontier

SITE_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
log = logging.getLogger(__name__)


def reparse(
    settings: Settings, start: date | None = None, end: date | None = None
) -> dict[str, Any]:
    """Parse and load every archived article page published in [start, end] (all when None).

    Under the writer lock, as a run: a run between two batches holds no DuckDB connection, and
    a reparse writing versions of the articles it is loading would interleave with it."""
    with one_writer(settings, "reparse"):
        return _reparse(settings, start, end)


def _reparse(settings: Settings, start: date | None, end: date | None) -> dict[str, Any]:
    with warehouse.connect(settings.db) as con:
        warehouse.migrate(con)
        foreign = claim_archive(con, settings).foreign  # another warehouse's: never loaded
        entries = archive_index.for_reparse(con, start, end)
        parameters = {"start": start, "end": end}
        # No request is made: the run's origin is the archive's, i.e. that of the latest run
        # (recording the configured site instead would mix replay and live in the `runs` row).
        row = con.execute(
            "select base_url, origin from runs order by started_at desc limit 1"
        ).fetchone()
        base_url, origin = row if row else (settings.base_url, None)
        run_id = warehouse.start_run(
            con, "reparse", parameters, base_url, settings.respect_robots, PARSER_VERSION, origin
        )
    counts: Counter[str] = Counter()
    damaged: list[str] = []
    lost_files: dict[str, tuple[str, int]] = {}  # unopenable file -> (why, pages it skips)
    status = "failed"
    try:
        for batch in batches(entries, settings.batch_size):
            archived = [(e, _archived(settings, e, damaged, lost_files)) for e in batch]
            items = [
                item
                for entry, page in archived
                if page is not None and (item := _reparsed(page, entry, start, end))
            ]
            with warehouse.connect(settings.db) as con:
                outcomes = warehouse.load_batch(con, run_id, items)
                frontier.mark(con, run_id, outcomes, {}, settings.retry_gave_up_after)
                archive_index.link_fetches(con, run_id)
            counts.update(o.outcome.value for o in outcomes)
        status = "completed"
    finally:
        for why, skipped in lost_files.values():  # one line a file, not one a page
            log.warning(
                "reparse skips %d archived pages: %s (the file cannot be opened)", skipped, why
            )
        with warehouse.connect(settings.db) as con:
            warehouse.finish_run(con, run_id, status, RunCounts(dict(counts)), 0, 0)
    total = sum(counts.values())
    return {
        "run_id": run_id, "pages": total, "counts": dict(counts), "damaged": len(damaged),
        "foreign_files": sorted(foreign),
    }  # fmt: skip


def _archived(
    settings: Settings,
    entry: tuple[str, str, str, int],
    damaged: list[str],
    lost_files: dict[str, tuple[str, int]],
) -> RawPage | None:
    """The archived page of an entry; a damaged one is logged, listed and skipped (the article
    keeps what the warehouse holds), so one bad record or file never stops the others. A file
    that cannot be opened at all (gone, a FIFO, a device) is tried once and named once."""
    article_id, _, warc_file, offset = entry
    if warc_file in lost_files:
        damaged.append(article_id)
        why, skipped = lost_files[warc_file]
        lost_files[warc_file] = (why, skipped + 1)
        return None
    try:
        return archive.read_page(settings.archive_dir, warc_file, offset)
    except archive.DamagedRecord as exc:
        damaged.append(article_id)
        if exc.whole_file:
            lost_files[warc_file] = (str(exc), 1)
        else:
            log.warning("reparse skips %s: damaged archive record %s", article_id, exc)
        return None


def _reparsed(
    page: RawPage, entry: tuple[str, str, str, int], start: date | None, end: date | None
) -> CrawlItem | None:
    article_id, url, _, _ = entry
    parsed = parse_page(page)
    if not _in_range(parsed, start, end):
        return None
    ref = ArticleRef(page.requested_url or url, article_id, None, "archive")
    return CrawlItem(FetchResult(ref, page=page, detail="reparsed from the raw archive"), parsed)


def _in_range(parsed: ParseResult, start: date | None, end: date | None) -> bool:
    """The index pre-selects by the dates it knows; the page's own date has the last word."""
    published = parsed.article.published_at if parsed.article else None
    if published is None or (start is None and end is None):
        return True
    day = published.astimezone(SITE_TZ).date()
    return (start is None or start <= day) and (end is None or day <= end)


def summary_line(result: dict[str, Any]) -> str:
    counts = ", ".join(f"{k} {v}" for k, v in sorted(result["counts"].items()))
    damaged = result.get("damaged", 0)
    skipped = f", {damaged} damaged archive records skipped (see the log)" if damaged else ""
    foreign = result.get("foreign_files", [])
    if foreign:
        skipped += f", {len(foreign)} WARC files of another warehouse refused (see the log)"
    return (
        f"reparse: {result['pages']} archived pages, {counts or 'nothing to do'}{skipped}"
        f" (run {result['run_id']})"
    )
