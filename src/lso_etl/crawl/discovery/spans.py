"""Listing pages' date spans: what one pass learned about where the dates lie in a pagination,
handed (through the pipeline, which keeps them in the crawl state) to a later pass.

A span goes stale as new articles push every page deeper, but the number of pages between
two dates does not change once both are in the past. So a later pass takes from old spans
only that: how many pages lie between its own page read last and the day it is looking for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from lso_etl.models import ListingSpan

FRESH = timedelta(days=1)

Anchor = tuple[
    float, int
]  # (page, day ordinal): page p starts at its newest day, p + 1 at its oldest


def anchors_of(spans: Sequence[ListingSpan]) -> list[Anchor]:
    """Anchors in page order, dates never rising: spans kept at different times disagree a
    little (pages shift), and an anchor out of order would make interpolation go backwards."""
    points: list[Anchor] = []
    for span in sorted(spans, key=lambda s: s.page):
        for point in (
            (span.page, span.newest.toordinal()),
            (span.page + 1, span.oldest.toordinal()),
        ):
            if not points or (point[0] > points[-1][0] and point[1] <= points[-1][1]):
                points.append(point)
    return points


def interpolate(points: Sequence[Anchor], day: int) -> float | None:
    """The page at `day` between the two anchors around it, or None when none bracket it."""
    for (pa, da), (pb, db) in pairwise(points):
        if da >= day >= db:
            return pa + (pb - pa) * (da - day) / (da - db) if da > db else pa
    return None


@dataclass(frozen=True)
class Rate:
    """Pages between two past days, as an earlier pass's spans place them. `fresh`: every span
    was read within the last day, so their page numbers hold as they are (a provincial paper's
    day moves a section's pages by one or two)."""

    points: tuple[Anchor, ...]
    fresh: bool = False

    def covers(self, day: int) -> bool:
        return len(self.points) >= 2 and self.points[-1][1] <= day <= self.points[0][1]

    def page_at(self, day: int) -> float | None:
        return interpolate(self.points, day)

    def pages_between(self, newer_day: int, older_day: int) -> float:
        """How many pages lie from `newer_day` back to `older_day`, negative when it is newer
        (a day newer than the spans counts from their newest: the pages since are not in them)."""
        newer = interpolate(self.points, min(newer_day, self.points[0][1]))
        older = interpolate(self.points, min(older_day, self.points[0][1]))
        if newer is None or older is None:
            return 0.0
        return older - newer


def rate_from(spans: Sequence[ListingSpan], now: datetime | None = None) -> Rate | None:
    points = anchors_of(spans)
    if len(points) < 2:
        return None
    now = now or datetime.now(UTC)
    fresh = all(s.seen_at is not None and now - s.seen_at < FRESH for s in spans)
    return Rate(tuple(points), fresh)
