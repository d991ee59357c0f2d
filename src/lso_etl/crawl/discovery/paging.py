"""Reaching a date range deep in a newest-first pagination in a few requests.

A section listing of a decade holds thousands of pages. Walking them from page 1 to reach
2017 costs one request per page (and, before issue 13, once per backfill chunk). Pages are
ordered by date, so the pages covering the range are found by probing (`locate`): first an
estimate of the page holding the range's middle, from page 1 and the listing's rate (pages per
day: measured on the pages read so far, or from the spans an earlier pass kept), then
interpolation between the nearest pages read on either side (secant steps, with a bisection
whenever they stop halving the gap). Spans read within the last day are trusted as they are:
the first probe goes where they put the range, and page 1 is not read. A probe that lands
inside the range is not wasted: the walk reads it anyway. From there the walk goes newer and older until the range's edges (with
the profile's overlap at both ends, as listings are not strictly ordered at day boundaries).

Every page read, probe or walk, counts against the listing budget (LSO_MAX_LISTING_PAGES):
when it runs out before the walk has passed the range's edges, the budget is reported to the
Reader, so the pass raises DiscoveryIncomplete and the range is never recorded as finished.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from lso_etl.crawl.discovery.reader import Parse, Reader
from lso_etl.crawl.discovery.spans import Anchor, Rate, interpolate, rate_from
from lso_etl.models import Entry, ListingSpan
from lso_etl.site.urls import on_base

# Without a long enough baseline the first estimate aims short: a probe that lands newer than
# the range gives the next estimate a baseline of years; one past the last page gives nothing.
AIM_SHORT = 0.6
LONG_BASELINE_DAYS = 60


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

    def spans(self, listing: str) -> list[ListingSpan]:
        """The date span of every dated page read in this pass: where a later pass starts."""
        found = []
        for page, items in sorted(self.read.items()):
            dates = [d for _, d in items or () if d is not None]
            if dates:
                found.append(ListingSpan(listing, page, max(dates), min(dates)))
        return found


def dates_of(entries: list[Entry] | None) -> list[date]:
    return [d for _, d in entries or () if d is not None]


@dataclass
class Search:
    """What the probes of one listing have shown: the pages known wholly newer than the range
    (up to `newer`), wholly older or past the end (from `older`), and (page, date) anchors."""

    low: date  # the range's start less the overlap
    high: date  # the range's end plus the overlap
    hints: Rate | None  # pages per day from an earlier pass's spans, where it has them
    newer: int = 0
    older: int | None = None
    anchors: list[Anchor] = field(default_factory=list)

    def place(self, page: int, entries: list[Entry] | None) -> bool:
        """Record a probe; True when the page holds part of the range (or cannot be placed)."""
        dates = dates_of(entries)
        if entries is None or not entries:
            self.older = page if self.older is None else min(self.older, page)
            return False
        if not dates:
            return True  # undated: the walk goes through it, as a plain walk would
        self.anchors += [(page, max(dates).toordinal()), (page + 1, min(dates).toordinal())]
        self.anchors.sort()
        if min(dates) > self.high:
            self.newer = max(self.newer, page)
            return False
        if max(dates) < self.low:
            self.older = page if self.older is None else min(self.older, page)
            return False
        return True

    def estimate(self, target: int) -> float:
        """The page estimated to hold the day `target`, from the anchors (and hints)."""
        between = interpolate(self.anchors, target)
        if between is not None:  # bracketed by pages read: interpolate
            return between
        hints = self.hints if self.hints is not None and self.hints.covers(target) else None
        if hints is not None and not self.anchors:  # fresh spans, page 1 not read
            return hints.page_at(target) or 1.0
        if hints is not None:  # from the page read nearest the day, as the spans count
            page, day = min(self.anchors, key=lambda anchor: abs(anchor[1] - target))
            return page + hints.pages_between(day, target)
        (first_page, first_day), (last_page, last_day) = self.anchors[0], self.anchors[-1]
        baseline = first_day - last_day
        per_day = (last_page - first_page) / max(baseline, 1)
        aim = 1.0 if baseline >= LONG_BASELINE_DAYS else AIM_SHORT
        return last_page + (last_day - target) * per_day * aim

    def next_probe(self, target: int, stalled: bool) -> int | None:
        """The next page to read, strictly inside the open gap; None when the gap is empty.
        `stalled`: the estimates stopped closing in, so bisect (or, with no end known yet,
        gallop: twice the deepest page known newer)."""
        lowest = self.newer + 1
        highest = None if self.older is None else self.older - 1
        if highest is not None and lowest > highest:
            return None
        guess = round(self.estimate(target))
        if highest is not None:
            # An estimate outside the gap says the rate has changed (or the listing ended
            # earlier than it promised): only the gap itself is trustworthy then.
            if stalled or not lowest <= guess <= highest:
                return (lowest + highest) // 2
            return guess
        return max(guess, lowest, 2 * self.newer if stalled else lowest)


def locate(pages: Pages, low: date, high: date, hints: Rate | None) -> int | None:
    """A page holding part of [low, high] (or undated), or None when no page does."""
    search = Search(low, high, hints)
    target = (low.toordinal() + high.toordinal()) // 2
    # Page 1 anchors the estimates, unless spans read within the day place the range already.
    trusted = hints is not None and hints.fresh and hints.covers(target)
    if not trusted and search.place(1, pages.entries(1)):
        return 1
    seen: list[tuple[int, int | None]] = []  # (newer, older) before each probe
    while True:
        seen.append((search.newer, search.older))
        page = search.next_probe(target, len(seen) >= 3 and not _closing_in(*seen[-3::2]))
        if page is None:
            return None
        entries = pages.entries(page)
        if page > 1 and entries and entries == pages.read.get(1):
            entries = None  # a CMS that answers any page past the end with page 1: the end
        if search.place(page, entries):
            return page


def _closing_in(before: tuple[int, int | None], now: tuple[int, int | None]) -> bool:
    """Two probes at least halved the gap (or, with no end known, doubled the depth)."""
    (newer_before, older_before), (newer_now, older_now) = before, now
    if older_now is None:
        return newer_now >= 2 * newer_before
    if older_before is None:
        return True
    return older_now - newer_now <= (older_before - newer_before) / 2


def walk_range(
    pages: Pages, start: date, end: date, overlap_days: int, hints: Sequence[ListingSpan] = ()
) -> Iterator[list[Entry]]:
    """Each page's entries that may hold part of [start, end], newer pages first from where
    `locate` landed, then older ones. Raises BudgetSpent when the budget ends it first.

    A page listing something newer than end + overlap ends the walk towards newer pages, and
    one listing something older than start - overlap the walk towards older ones: the overlap
    is how far out of order a listing may be, so nothing past such an item can be in range."""
    overlap = timedelta(days=overlap_days)
    # Today's ranges never come near date.min or date.max; a hand-made one must not overflow.
    low = max(start, date.min + overlap) - overlap
    high = min(end, date.max - overlap) + overlap
    inside = locate(pages, low, high, rate_from(hints))
    if inside is None:
        return
    page = inside
    while True:  # towards page 1
        items = pages.entries(page)
        yield items or []
        if page == 1 or any(d > high for d in dates_of(items)):
            break
        page -= 1
    page = inside
    while True:  # towards the oldest page
        last = pages.entries(page)
        if any(d < low for d in dates_of(last)):
            return
        page += 1
        items = pages.entries(page)
        if not items or items == last:  # past the end (a CMS may repeat its last page there)
            return
        yield items
