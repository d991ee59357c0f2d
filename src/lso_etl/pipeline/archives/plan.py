"""`backfill --dry-run` for an archive source: each candidate, its captures, and why it was picked.

Reads the archives' indexes (CDX requests, paced as in a real run) and the warehouse read-only,
and writes nothing. It does fetch the captures that narrowing the range probes (aimed hops toward
each edge, then the last few days one by one, `archive_probe`: 17 for a month of the replay
Wayback Machine, 19 of Common Crawl), since only an article's own page says when it was
published.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from lso_etl.crawl.archives.fetcher import ArchiveFetcher
from lso_etl.crawl.discovery.discover import split_by_window
from lso_etl.pipeline.sources import ArchiveSource, archive_pacing
from lso_etl.pipeline.steps import chunk_windows, finished_chunks
from lso_etl.settings import Settings
from lso_etl.site.discovery import DISCOVERY
from lso_etl.store import warehouse


class _ReadOnly:
    """A lease stand-in for discovery: the warehouse opened read-only, if there is one."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def connection(self) -> Any:
        return warehouse.connect(self.settings.db, read_only=True)


def archive_dry_run(
    settings: Settings, start: date, end: date, chunk_days: int, source: ArchiveSource | None = None
) -> list[dict[str, Any]]:
    source = source or ArchiveSource(settings, archive_pacing(settings))
    windows = chunk_windows(start, end, chunk_days, newest_first=False)
    done = finished_chunks(settings)
    with source.open_fetcher(settings) as fetcher:
        assert isinstance(fetcher, ArchiveFetcher)
        fetcher.context = _ReadOnly(settings) if settings.db.exists() else None
        found = source.discover(fetcher, start, end, DISCOVERY.backfill_strategies, {})
    chunks = []
    for (first, last), refs in split_by_window(found.refs, windows).items():
        candidates = [
            {"seen_date": r.seen_date, "article_id": r.article_id, "found_by": r.found_by,
             "url": r.url, "captures": [c.url for c in r.captures],
             "why": source.why.get(r.article_id, "the site lists it")}
            for r in refs
        ]  # fmt: skip
        chunks.append({"start": first, "end": last, "finished": (first, last) in done,
                       "to_fetch": len(refs), "candidates": candidates})  # fmt: skip
    return chunks
