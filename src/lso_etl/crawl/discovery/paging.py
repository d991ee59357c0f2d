"""Reaching a date deep in a newest-first pagination in O(log pages) requests.

A section listing of a decade holds thousands of pages. Walking them from page 1 to reach
2017 costs one request per page (and, before this module, once per backfill chunk). Pages are
ordered by date, so the first page that reaches back to the range's end is found by probing:
gallop 1, 2, 4, 8, ... until a page reaches it (or lies past the last page), then bisect the
last gap. Only the pages from there to the range start (with the profile's overlap at both
ends, as listings are not strictly ordered at day boundaries) are then walked.

Every page read, probe or walk, counts against the listing budget (LSO_MAX_LISTING_PAGES):
when it runs out before the walk has passed the range start, the budget is reported to the
Reader, so the pass raises DiscoveryIncomplete and the range is never recorded as finished.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from lso_etl.crawl.discovery.reader import Parse, Reader
from lso_etl.models import Entry
from lso_etl.site.urls import on_base


class BudgetSpent(Exception):
    """The walk may read no more pages: the budget is spent (or a page failed to read)."""


@dataclass
class Pages:
    """The pages of one listing, each read at most once in a pass, within the page budget."""

    reader: Reader
    url_of: Callable[[int], str]
    parse: Parse
    budget: int
    read: dict[int, list[Entry] | None] = field(default_factory=dict)

    def entries(self, page: int) -> list[Entry] | None:
        """The page's (url, date) entries; None past the last page (404/410, or disallowed).

        Raises BudgetSpent when the budget allows no more reads, or when the page could not be
        read (the Reader has recorded that, and the pass will fail: walking on past a hole
        would only spend requests)."""
        if page in self.read:
            return self.read[page]
        if len(self.read) >= self.budget:
            raise BudgetSpent
        failures = len(self.reader.failed)
        url = on_base(self.reader.fetcher.settings.base_url, self.url_of(page))
        # Past the last page a listing answers 404; its first page always exists, so a 404
        # there is a listing (or a site) not working, never an empty one.
        doc = self.reader.read(url, self.parse, absent_ok=page != 1)
        self.read[page] = list(doc.pages) if doc is not None else None
        if len(self.reader.failed) > failures:
            raise BudgetSpent
        return self.read[page]


def reaches(entries: list[Entry] | None, newest_wanted: date) -> bool:
    """Whether a page lies at or past the range's newest end: it lists something no newer than
    `newest_wanted`, or nothing at all (past the last page). An undated page cannot be placed,
    so it counts as reaching: the walk then starts there, as a plain walk would."""
    if not entries:
        return True
    dates = [d for _, d in entries if d is not None]
    return not dates or min(dates) <= newest_wanted


def first_page(pages: Pages, newest_wanted: date) -> int:
    """The first page that reaches `newest_wanted`: gallop 1, 2, 4, ..., then bisect the gap."""
    if reaches(pages.entries(1), newest_wanted):
        return 1
    short, far = 1, 2  # page `short` is wholly newer than wanted
    while not reaches(pages.entries(far), newest_wanted):
        short, far = far, far * 2
    while far - short > 1:
        middle = (short + far) // 2
        if reaches(pages.entries(middle), newest_wanted):
            far = middle
        else:
            short = middle
    return far


def walk_range(pages: Pages, start: date, end: date, overlap_days: int) -> Iterator[list[Entry]]:
    """Each page's entries from the first reaching `end` (+ overlap) until one is empty, absent
    or wholly older than `start` (- overlap). Raises BudgetSpent when the budget ends it first."""
    overlap = timedelta(days=overlap_days)
    stop_before = max(start, date.min + overlap) - overlap
    # Today's ranges never come near date.max; a hand-made one must not overflow either.
    page = first_page(pages, min(end, date.max - overlap) + overlap)
    while True:
        items = pages.entries(page)
        if not items:
            return
        yield items
        dates = [d for _, d in items if d is not None]
        if dates and max(dates) < stop_before:
            return
        page += 1
