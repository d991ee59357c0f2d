"""The search for a date range in a newest-first pagination (`crawl.discovery.paging`), on
listings made here page by page: uneven publishing rates, disorder at day boundaries, undated
pages, ranges before, after and across the listing. Every candidate must be found, whatever
the estimates guessed; the request counts are bounded from the listing's own shape."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from lso_etl.crawl.discovery.paging import walk_range
from lso_etl.crawl.discovery.spans import rate_from
from lso_etl.models import Entry, ListingSpan

PER_PAGE = 12
NEWEST = date(2025, 12, 31)


class Listing:
    """A pagination of dated items, newest first, read as `paging.Pages` reads: once a page."""

    def __init__(self, items: list[Entry]) -> None:
        self.items = items
        self.read: dict[int, list[Entry] | None] = {}

    def entries(self, page: int) -> list[Entry] | None:
        assert page >= 1
        if page in self.read:
            return self.read[page]
        chunk = self.items[(page - 1) * PER_PAGE : page * PER_PAGE]
        self.read[page] = chunk or None
        return self.read[page]

    @property
    def pages(self) -> int:
        return math.ceil(len(self.items) / PER_PAGE)

    def spans(self, listing: str = "listing:x") -> list[ListingSpan]:
        return [
            ListingSpan(listing, p, max(d for _, d in e if d), min(d for _, d in e if d))  # type: ignore[type-var]
            for p, e in sorted(self.read.items())
            if e and any(d for _, d in e)
        ]


def listing(rates: list[tuple[int, float]], seed: int = 1, shuffle_days: bool = False) -> Listing:
    """`rates`: (days, items a day) from the newest day back. With `shuffle_days`, items of
    neighbouring days swap places at day boundaries (what the profile's overlap allows)."""
    rng = random.Random(seed)
    items: list[Entry] = []
    day = NEWEST
    for days, per_day in rates:
        for _ in range(days):
            count = max(0, round(rng.gauss(per_day, per_day / 3)))
            items += [(f"/a-{len(items) + k}.html", day) for k in range(count)]
            day -= timedelta(days=1)
    if shuffle_days:
        for at in range(1, len(items)):
            if items[at][1] != items[at - 1][1] and rng.random() < 0.5:
                items[at - 1], items[at] = items[at], items[at - 1]
    return Listing(items)


def found(pages: Listing, start: date, end: date, overlap: int = 1, **kw: object) -> set[str]:
    return {
        url
        for chunk in walk_range(pages, start, end, overlap, **kw)  # type: ignore[arg-type]
        for url, seen in chunk
        if seen is None or start <= seen <= end
    }


def truth(pages: Listing, start: date, end: date) -> set[str]:
    return {url for url, seen in pages.items if seen is not None and start <= seen <= end}


def covering(pages: Listing, low: date, high: date) -> int:
    """How many pages list something in [low, high]: what any walk has to read."""
    return sum(
        1
        for p in range(pages.pages)
        if any(low <= d <= high for _, d in pages.items[p * PER_PAGE : (p + 1) * PER_PAGE] if d)
    )


# A decade, steady; one that doubled its output in 2020; one with a quiet year and bursts.
SHAPES = {
    "steady": [(3650, 41.0)],
    "grew": [(2000, 50.0), (1650, 20.0)],
    "bursty": [(400, 80.0), (365, 2.0), (900, 30.0), (30, 300.0), (1955, 25.0)],
}


@pytest.mark.parametrize("shape", SHAPES)
def test_every_item_of_random_ranges_is_found_in_few_requests(shape: str) -> None:
    rng = random.Random(shape)
    for _ in range(25):
        first = NEWEST - timedelta(days=rng.randrange(0, 3700))
        start, end = first, first + timedelta(days=rng.choice([0, 1, 6, 30, 90]))
        pages = listing(SHAPES[shape], seed=rng.randrange(1000))
        assert found(pages, start, end) == truth(pages, start, end), (start, end)
        walked = covering(pages, start - timedelta(days=1), end + timedelta(days=1))
        # Probes: page 1, then secant steps safeguarded by bisection: O(log pages) at worst.
        assert len(pages.read) <= walked + 2 * math.ceil(math.log2(pages.pages)) + 3


def test_a_steady_listing_is_found_with_a_handful_of_probes() -> None:
    """Interpolation, not a gallop: on an even rate, page 1 and two or three estimates."""
    for year in range(2016, 2025):
        pages = listing(SHAPES["steady"], seed=year)
        start, end = date(year, 3, 1), date(year, 3, 31)
        assert found(pages, start, end) == truth(pages, start, end)
        walked = covering(pages, start - timedelta(days=1), end + timedelta(days=1))
        assert len(pages.read) - walked <= 4, year


def test_disorder_at_day_boundaries_within_the_overlap_loses_nothing() -> None:
    rng = random.Random(7)
    for _ in range(20):
        pages = listing(SHAPES["grew"], seed=rng.randrange(1000), shuffle_days=True)
        start = NEWEST - timedelta(days=rng.randrange(10, 3600))
        end = start + timedelta(days=rng.choice([0, 3, 30]))
        assert found(pages, start, end) == truth(pages, start, end)


def test_spans_of_an_earlier_pass_lead_the_next_search_closer() -> None:
    first_pass = listing(SHAPES["bursty"], seed=3)
    found(first_pass, date(2016, 6, 1), date(2016, 6, 30))  # deeper than the next search
    spans = first_pass.spans()
    without, with_spans = listing(SHAPES["bursty"], seed=3), listing(SHAPES["bursty"], seed=3)
    start, end = date(2017, 2, 1), date(2017, 2, 28)
    assert found(with_spans, start, end, hints=spans) == truth(with_spans, start, end)
    assert found(without, start, end) == truth(without, start, end)
    assert len(with_spans.read) < len(without.read)


def test_misleading_spans_cost_requests_but_never_candidates() -> None:
    """Spans from another listing entirely (a rate ten times too high): still all found."""
    pages = listing(SHAPES["steady"], seed=5)
    wrong = [ListingSpan("listing:x", 10 * p, date(2025, 1, 1) - timedelta(days=p), date(2025, 1, 1) - timedelta(days=p + 1)) for p in range(1, 400)]  # fmt: skip
    start, end = date(2018, 5, 1), date(2018, 5, 10)
    assert found(pages, start, end, hints=wrong) == truth(pages, start, end)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2030, 1, 1), date(2030, 1, 31)),  # after the newest item
        (date(2005, 1, 1), date(2005, 12, 31)),  # before the oldest
        (date(2015, 12, 1), date(2016, 1, 31)),  # across the oldest page
        (date(2025, 12, 20), date(2026, 1, 31)),  # across page 1
        (date(2000, 1, 1), date(2030, 1, 1)),  # everything
    ],
)
def test_ranges_at_and_beyond_the_ends_of_the_listing(start: date, end: date) -> None:
    pages = listing([(3650, 8.0)], seed=11)
    assert found(pages, start, end) == truth(pages, start, end)


def test_undated_pages_are_walked_through_never_skipped() -> None:
    pages = listing([(3650, 8.0)], seed=2)
    start, end = date(2020, 4, 1), date(2020, 4, 30)
    hidden = {url for url, seen in pages.items if seen is not None and start <= seen <= end}
    # The listing stops printing dates for the pages around April 2020.
    pages.items = [(url, None if url in hidden else seen) for url, seen in pages.items]
    assert found(pages, start, end) >= hidden


def test_an_empty_gap_between_two_pages_finds_nothing_and_stops() -> None:
    """A year with no items at all: the range falls between two pages."""
    pages = listing([(1000, 10.0), (365, 0.0), (1000, 10.0)], seed=4)
    start = NEWEST - timedelta(days=1200)
    assert found(pages, start, start + timedelta(days=30), overlap=0) == set()


def test_rate_from_spans_counts_pages_between_two_past_days() -> None:
    # Pages 70..74, a day each: page 70 lists Jan 30 back to Jan 29, page 74 Jan 26 to 25.
    spans = [ListingSpan("l", p, date(2020, 1, 100 - p), date(2020, 1, 99 - p)) for p in range(70, 75)]  # fmt: skip
    rate = rate_from(spans)
    assert rate is not None and rate.covers(date(2020, 1, 27).toordinal())
    assert rate.pages_between(date(2020, 1, 29).toordinal(), date(2020, 1, 26).toordinal()) == 3


def test_spans_read_within_the_day_place_the_range_without_page_1() -> None:
    """A backfill's later chunk, or a rerun the same day: the spans' page numbers still hold,
    so the walk starts where they put the range; a day later page 1 anchors the search again."""
    first_pass = listing(SHAPES["grew"], seed=8)
    found(first_pass, date(2016, 6, 1), date(2016, 6, 30))
    now = datetime.now(UTC)
    start, end = date(2017, 2, 1), date(2017, 2, 28)
    for age, reads_page_1 in ((timedelta(hours=2), False), (timedelta(days=2), True)):
        spans = [replace(s, seen_at=now - age) for s in first_pass.spans()]
        pages = listing(SHAPES["grew"], seed=8)
        assert found(pages, start, end, hints=spans) == truth(pages, start, end)
        assert (1 in pages.read) == reads_page_1
        walked = covering(pages, start - timedelta(days=1), end + timedelta(days=1))
        assert len(pages.read) <= walked + (3 if reads_page_1 else 2)


class RepeatsPastTheEnd(Listing):
    """A CMS that answers a page number past the end with its last page, or with page 1."""

    def __init__(self, items: list[Entry], repeat_first: bool) -> None:
        super().__init__(items)
        self.repeat_first = repeat_first

    def entries(self, page: int) -> list[Entry] | None:
        if page > self.pages:
            shown = 1 if self.repeat_first else self.pages
            self.read[page] = self.items[(shown - 1) * PER_PAGE : shown * PER_PAGE]
            return self.read[page]
        return super().entries(page)


@pytest.mark.parametrize("repeat_first", [False, True])
def test_a_listing_that_repeats_a_page_past_its_end_is_searched_to_its_end_and_no_further(
    repeat_first: bool,
) -> None:
    items = listing([(3650, 8.0)], seed=6).items
    for start, end in (
        (date(2015, 12, 1), date(2016, 1, 20)),
        (date(2021, 3, 1), date(2021, 3, 9)),
    ):
        pages = RepeatsPastTheEnd(items, repeat_first)
        assert found(pages, start, end) == truth(pages, start, end)
        walked = covering(pages, start - timedelta(days=1), end + timedelta(days=1))
        assert len(pages.read) <= walked + 2 * math.ceil(math.log2(pages.pages)) + 4
