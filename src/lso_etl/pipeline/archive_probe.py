"""Where a publish-date range starts and ends among an archive's candidates: a binary search.

Within one CMS generation, ids grow with publication time, so the range's articles are one
run of consecutive candidates. Capture times only bound publication from above (a capture
comes after publication), so where that run starts and ends is found by fetching: a binary
search on each side costs about log2(n) probes, and a probe inside the range is no waste
(its page is kept and loaded). Candidates whose capture bound already proves them no later
than the range end need no probe on that side.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime

from lso_etl.crawl.archives.candidates import SITE_TZ, Candidate, range_utc

Probe = Callable[[Candidate], date | None]  # the article's publication day, None: no article


def narrow(
    candidates: Sequence[Candidate], start: date, end: date, probe: Probe
) -> list[Candidate]:
    """The candidates published in [start, end] (undated ones kept: the loader decides)."""
    kept: list[Candidate] = []
    for generation in ("new", "old"):
        mine = sorted(
            (c for c in candidates if c.article_id.startswith(generation + ":")),
            key=lambda c: int(c.article_id.split(":")[1]),
        )
        if mine:
            kept += _in_range(mine, start, end, probe)
    return kept


def _in_range(mine: list[Candidate], start: date, end: date, probe: Probe) -> list[Candidate]:
    last_instant = range_utc(start, end)[1]
    # Every candidate up to the last with a bound inside the range is published by its end:
    # the search for the range's start begins there (with tight bounds, inside the range).
    early = max((i for i, c in enumerate(mine) if c.published_by <= last_instant), default=0)

    def on_or_after_start(i: int) -> bool:
        day = probe(mine[i])
        return day is None or day >= start  # no article: kept, the loader decides

    def after_end(i: int) -> bool:
        day = probe(mine[i])
        return day is not None and day > end

    first = _boundary(0, len(mine), early, on_or_after_start)
    low = max(first, early + 1) if mine[early].published_by <= last_instant else first
    after = _boundary(low, len(mine), low, after_end)
    return mine[first:after]


def _boundary(low: int, high: int, origin: int, holds: Callable[[int], bool]) -> int:
    """The first index in [low, high) where `holds` (false below it, true from it on), else
    `high`: galloping out from `origin`, then bisecting. A probe on the range's side of the
    boundary is no waste, so starting near it keeps the wasted probes to a few."""
    if origin >= high:
        return _bisect(low, high, holds)
    step = 1
    if holds(origin):  # the boundary is at or below origin: gallop down
        right = origin
        while origin - step >= low and holds(origin - step):
            right, step = origin - step, step * 2
        return _bisect(max(low, origin - step + 1), right, holds)
    left = origin + 1  # above origin: gallop up
    while origin + step < high and not holds(origin + step):
        left, step = origin + step + 1, step * 2
    return _bisect(left, min(high, origin + step), holds)


def _bisect(low: int, high: int, holds: Callable[[int], bool]) -> int:
    """The first index in [low, high) where `holds`, else `high` (known to hold at high)."""
    while low < high:
        middle = (low + high) // 2
        if holds(middle):
            high = middle
        else:
            low = middle + 1
    return low


def site_day(published: datetime | None) -> date | None:
    """A publication time as the site's calendar day."""
    return published.astimezone(SITE_TZ).date() if published else None
