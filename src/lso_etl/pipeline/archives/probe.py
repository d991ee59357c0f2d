"""Where a publish-date range starts and ends among an archive's candidates: aimed probes.

Within one CMS generation, ids grow with publication time, so the range's articles are one
run of consecutive candidates. Capture times only bound publication from above (a capture
comes after publication), so where that run starts and ends is found by fetching. A probe
inside the range is no waste (its page is kept and loaded, never fetched again); only a
probe outside it is. So each edge is found from the inside: a probe is aimed a few days
inside the edge, by interpolating publication day on id number (ids grow about linearly
with time), and from the first probe that lands inside, the candidates are read one by one
outward until the first one outside. In a run that costs one probe outside the range per
edge plus the aimed probes that miss, instead of the half of a bisection's log2(n) probes
that land outside. Candidates whose capture bound already proves them no later than the
range end need no probe on that side.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta

from lso_etl.crawl.archives.candidates import SITE_TZ, Candidate, range_utc

Probe = Callable[[Candidate], date | None]  # the article's publication day, None: no article
INSIDE = timedelta(days=4)  # from this close to an edge, read one by one (less in a short range)
SHORT_WALK = 3  # candidates read one by one rather than hopped over


def narrow(
    candidates: Sequence[Candidate],
    start: date,
    end: date,
    probe: Probe,
    lags: list[int] | None = None,
) -> list[Candidate]:
    """The candidates published in [start, end] (undated ones kept: the loader decides).
    `lags`: days from publication to capture bound seen in this archive's earlier probes
    (grown here): with them, the first probe is aimed rather than blind."""
    kept: list[Candidate] = []
    lags = [] if lags is None else lags
    for generation in ("new", "old"):
        mine = sorted(
            (c for c in candidates if c.article_id.startswith(generation + ":")),
            key=lambda c: _number(c),
        )
        if mine:
            kept += _Search(mine, start, end, probe, lags).in_range()
    return kept


class _Search:
    """One generation's candidates, the days probed so far, and the two edges to find."""

    def __init__(
        self, mine: list[Candidate], start: date, end: date, probe: Probe, lags: list[int]
    ) -> None:
        self.mine, self.start, self.end, self.probe, self.lags = mine, start, end, probe, lags
        self.numbers = [_number(c) for c in mine]
        self.days: dict[int, date] = {}  # index -> publication day, probes that found one
        self.blank: set[int] = set()  # probed, not an article
        self.margin = min(INSIDE, (end - start) / 4)
        self.slope = _bound_slope(mine)  # days per id, before two probes tell it

    def in_range(self) -> list[Candidate]:
        last_instant = range_utc(self.start, self.end)[1]
        # Up to the last candidate with a bound inside the range, all are published by its end.
        early = max(
            (i for i, c in enumerate(self.mine) if c.published_by <= last_instant), default=-1
        )
        first = self._first_from(early)
        after = self._after_end(max(first, early + 1) - 1)
        return self.mine[first:after]

    def look(self, i: int) -> date | None:
        if i in self.days or i in self.blank:
            return self.days.get(i)
        day = self.probe(self.mine[i])
        if day is None:
            self.blank.add(i)
        else:
            self.days[i] = day
            bound = self.mine[i].published_by.astimezone(SITE_TZ).date()
            self.lags.append((bound - day).days)
        return day

    def _first_from(self, early: int) -> int:
        """The first index published on or after the start (candidates without an article
        above the last one before it are kept)."""
        below, above = -1, len(self.mine)
        inside = None  # the lowest index known inside the range
        if early >= 0 and not self.lags:  # no rate known yet: the last candidate proven
            # no later than the end is the first probe (the bounds alone place no other)
            below, above, inside = self._sort(early, below, above)
        while above - below > 1:
            if inside is None:  # aim at the middle: the likeliest place to land inside
                aim = self.start + (self.end - self.start) / 2
            elif self.days[inside] - self.start <= self.margin:
                break  # close enough: read down from the inside
            else:  # halfway down to the start: a probe that lands inside costs nothing
                aim = self.start + (self.days[inside] - self.start) / 2
            guess = self._index_for(aim, below, above)
            if inside is not None and guess > inside - SHORT_WALK:
                break  # a hop that skips so few is not worth a probe that may miss
            below, above, found = self._sort(guess, below, above)
            inside = found if found is not None else inside
        for i in range(above - 1, below, -1):  # outward, one by one, to the first before
            day = self.look(i)
            if day is not None and day < self.start:
                below = i
                break
        return below + 1

    def _sort(self, guess: int, below: int, above: int) -> tuple[int, int, int | None]:
        """The start's bracket after probing up from `guess`, and where it landed if inside."""
        found = self._dated_from(guess, above, +1)
        if found is None:
            return below, guess, None  # no article from guess up: kept, the loader decides
        at, day = found
        if day < self.start:
            return at, above, None
        return below, at, at if day <= self.end else None

    def _after_end(self, below: int) -> int:
        """The first index published after the end, searching above `below` (known no later)."""
        above = len(self.mine)
        while above - below > 1:
            reached = self.days.get(below)
            if reached is not None and self.end - reached <= self.margin:
                break  # close enough: read up from the inside
            # Halfway up to the end from the last day reached inside (the middle, if none).
            base = max(reached, self.start) if reached else self.start
            aim = base + (self.end - base) / 2
            guess = self._index_for(aim, below, above)
            if reached is not None and guess < below + SHORT_WALK:
                break
            found = self._dated_from(guess, below, -1)
            if found is None:
                break
            if found[1] > self.end:
                above = found[0]
            else:
                below = found[0]
        for i in range(below + 1, above):  # outward, one by one, to the first after
            read = self.look(i)
            if read is not None and read > self.end:
                return i
        return above

    def _dated_from(self, i: int, stop: int, step: int) -> tuple[int, date] | None:
        """The first probe from `i` toward `stop` (exclusive) that finds an article."""
        while i != stop:
            day = self.look(i)
            if day is not None:
                return i, day
            i += step
        return None

    def _index_for(self, day: date, below: int, above: int) -> int:
        """Where `day` should lie, strictly between below and above: interpolated on id
        between the probed days around it, else extrapolated at the learnt rate."""
        number = self._number_for(day)
        guess = bisect_left(self.numbers, round(number)) if number is not None else None
        if guess is None:
            guess = (below + above) // 2
        return min(max(guess, below + 1), above - 1)

    def _number_for(self, day: date) -> float | None:
        dated = sorted((self.numbers[i], d.toordinal()) for i, d in self.days.items())
        target = day.toordinal()
        lower = [p for p in dated if p[1] < target]
        upper = [p for p in dated if p[1] >= target]
        if lower and upper and upper[0][1] > lower[-1][1]:
            (n0, d0), (n1, d1) = lower[-1], upper[0]
            return n0 + (n1 - n0) * (target - d0) / (d1 - d0)
        slope = self._slope(dated)
        if slope is None:
            return None
        if dated:  # from the nearest probed day
            n0, d0 = min(dated, key=lambda p: abs(p[1] - target))
            return n0 + (target - d0) / slope
        # No probe yet: the capture bounds' trend, moved back by the lag seen so far.
        lag = sorted(self.lags)[len(self.lags) // 2] if self.lags else 0
        n0 = self.numbers[0]
        base = self.mine[0].published_by.astimezone(SITE_TZ).date().toordinal() - lag
        return n0 + (target - base) / slope

    def _slope(self, dated: list[tuple[int, int]]) -> float | None:
        if len(dated) >= 2 and dated[-1][1] > dated[0][1] and dated[-1][0] > dated[0][0]:
            return (dated[-1][1] - dated[0][1]) / (dated[-1][0] - dated[0][0])
        return self.slope


def _bound_slope(mine: Sequence[Candidate]) -> float | None:
    """Days per id of the capture bounds (least squares): the id-to-day rate, roughly."""
    points = [(_number(c), c.published_by.timestamp() / 86400) for c in mine]
    if len(points) < 2:
        return None
    mean_n = sum(p[0] for p in points) / len(points)
    mean_d = sum(p[1] for p in points) / len(points)
    spread = sum((p[0] - mean_n) ** 2 for p in points)
    slope = sum((p[0] - mean_n) * (p[1] - mean_d) for p in points) / spread if spread else 0
    return slope if slope > 0 else None


def _number(candidate: Candidate) -> int:
    return int(candidate.article_id.split(":")[1])


def site_day(published: datetime | None) -> date | None:
    """A publication time as the site's calendar day."""
    return published.astimezone(SITE_TZ).date() if published else None
