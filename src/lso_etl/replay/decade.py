"""A replay corpus at the real site's scale (about 15,000 articles a year), derived on request.

Building 150,000 `CorpusArticle`s up front would hold hundreds of megabytes. Instead only the
arithmetic is kept: how many articles each day has, and how many of them each section has so
far (a few hundred kilobytes for a decade). Article number i is then derived from i alone, with
its own seeded `random.Random`: its day by bisection of the running totals, its time and section
from that day's own seeded plan, its text from `corpus._article`. A listing page, a month's
sitemap and a page by path are computed the same way, so the replay's memory stays flat however
many years it serves.

Layouts follow the site's history: the old CMS for the first 35% of the span, then the current
one, each numbering its articles in its own increasing sequence.
"""

from __future__ import annotations

import random
import re
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple, overload

from lso_etl.replay.corpus import FIRST_MINUTE, LAST_MINUTE, LEGACY_SHARE, derive_article
from lso_etl.replay.model import SECTIONS, TZ, CorpusArticle, Section
from lso_etl.replay.render import PER_PAGE

PER_YEAR = 15_000
MAX_YEARS = 20  # the old CMS's 6-digit ids run out past this
OLD_FIRST, NEW_FIRST, ID_STEP = 280_000, 5_000_000, 3  # ids: step 3, offset 0-2 (gaps)
_WEIGHTS = [s.weight for s in SECTIONS]
_NUMBER = re.compile(r"^/(?:[a-z0-9-]+/){1,2}(?P<old>\d{4,6})-[a-z0-9-]*\.html$"
                     r"|^/[a-z0-9-]+-(?P<new>\d{7})\.html$")  # fmt: skip


class DayPlan(NamedTuple):
    minutes: tuple[int, ...]  # publish times as minutes after midnight, oldest first
    sections: tuple[int, ...]  # index into SECTIONS, per article


class DecadeCorpus:
    """`years` whole calendar years ending with `last_year`, ~`per_year` articles a year."""

    def __init__(
        self, years: int, *, last_year: int = 2025, per_year: int = PER_YEAR, seed: int = 2015
    ) -> None:
        if not 1 <= years <= MAX_YEARS:
            raise ValueError(f"years must be 1..{MAX_YEARS}, not {years}")
        self.sections: tuple[Section, ...] = SECTIONS
        self.first_day = date(last_year - years + 1, 1, 1)
        self.last_day = date(last_year, 12, 31)
        self._seed, self._mean = seed, per_year / 365.25
        self._days = (self.last_day - self.first_day).days + 1
        # Running totals, entry d = articles before day d: all, and per section.
        self._day_first = array("q", [0])
        self._section_before = [array("q", [0]) for _ in SECTIONS]
        # Derived again on request: a day's plan is cheap, and a few are kept (listings and
        # sitemaps read a run of neighbouring days).
        self._plans = lru_cache(maxsize=64)(self._plan)
        self._articles = lru_cache(maxsize=512)(self._article)
        for day in range(self._days):
            sections = self._sections(random.Random(f"{self._seed}:day:{day}"))
            self._day_first.append(self._day_first[-1] + len(sections))
            for s, totals in enumerate(self._section_before):
                totals.append(totals[-1] + sections.count(s))
        self._legacy_before = self._day_first[round(LEGACY_SHARE * self._days)]
        self.articles = Lazy(range(self._day_first[-1]), self.article, self._position)
        self.by_section = {section.slug: self._section(s) for s, section in enumerate(SECTIONS)}
        self.by_path = _ByPath(self)
        self.by_month = _ByMonth(self)

    def plan(self, day: int) -> DayPlan:
        return self._plans(day)

    def article(self, index: int) -> CorpusArticle:
        """Article number `index` (0: the oldest), the same on every call and in every process."""
        return self._articles(index)

    def _plan(self, day: int) -> DayPlan:
        """Day number `day`'s publish times and sections, from that day's own seed."""
        rng = random.Random(f"{self._seed}:day:{day}")
        sections = self._sections(rng)
        minutes = sorted(rng.sample(range(FIRST_MINUTE, LAST_MINUTE + 1), len(sections)))
        return DayPlan(tuple(minutes), sections)

    def _sections(self, rng: random.Random) -> tuple[int, ...]:
        """A day's articles' sections, drawn first: the running totals need no publish times."""
        count = max(1, round(rng.gauss(self._mean, self._mean / 6)))
        return tuple(rng.choices(range(len(SECTIONS)), _WEIGHTS, k=count))

    def _article(self, index: int) -> CorpusArticle:
        day = bisect_right(self._day_first, index) - 1
        plan = self.plan(day)
        at = index - self._day_first[day]
        layout, number = self.identity(index)
        rng = random.Random(f"{self._seed}:article:{index}")
        minute = plan.minutes[at]
        when = datetime.combine(
            self.first_day + timedelta(days=day), time(minute // 60, minute % 60), TZ
        )
        return derive_article(rng, when, layout, number, SECTIONS[plan.sections[at]])

    def identity(self, index: int) -> tuple[str, int]:
        """(layout, number): each CMS's ids increase with time, with gaps."""
        gap = (index * 2_654_435_761 >> 7) % ID_STEP
        if index < self._legacy_before:
            return "legacy", OLD_FIRST + ID_STEP * index + gap
        return "current", NEW_FIRST + ID_STEP * (index - self._legacy_before) + gap

    def index_of(self, path: str) -> int | None:
        """The index whose article has this path, or None (computed from the number in it)."""
        match = _NUMBER.match(path)
        if match is None:
            return None
        if match["old"]:
            index = (int(match["old"]) - OLD_FIRST) // ID_STEP
            in_era = 0 <= index < self._legacy_before
        else:
            index = (int(match["new"]) - NEW_FIRST) // ID_STEP + self._legacy_before
            in_era = self._legacy_before <= index < len(self.articles)
        if not in_era or self.article(index).path != path:
            return None
        return index

    def day_span(self, first: date, last: date) -> range:
        """The indexes of the articles published from `first` to `last`."""
        lo = min(max((first - self.first_day).days, 0), self._days)
        hi = min(max((last - self.first_day).days + 1, 0), self._days)
        return range(self._day_first[lo], self._day_first[max(lo, hi)])

    def in_section_since(self, s: int, first: date) -> int:
        """How many articles of section s were published on `first` or later."""
        totals = self._section_before[s]
        return totals[-1] - totals[min(max((first - self.first_day).days, 0), self._days)]

    def listing_pages(self, first: date, last: date, overlap: int = 1) -> int:
        """How many listing pages hold an article of [first - overlap, last + overlap], summed
        over the sections: what any walk of the listings has to read (the corpus's arithmetic,
        the floor tests and benchmarks hold discovery to)."""
        total, margin = 0, timedelta(days=overlap)
        for s in range(len(self.sections)):
            newer = self.in_section_since(s, last + margin + timedelta(days=1))
            through = self.in_section_since(s, first - margin)
            if through > newer:
                total += (through - 1) // PER_PAGE - newer // PER_PAGE + 1
        return total

    def _section(self, s: int) -> Lazy:
        """Section s newest first: position p is its (total - 1 - p)-th article, oldest first."""
        totals = self._section_before[s]

        def article_at(position: int) -> CorpusArticle:
            rank = totals[-1] - 1 - position
            day = bisect_right(totals, rank) - 1
            nth = rank - totals[day]
            at = [i for i, section in enumerate(self.plan(day).sections) if section == s][nth]
            return self.article(self._day_first[day] + at)

        def position_of(article: CorpusArticle) -> int:
            index = self.index_of(article.path)
            if index is None or article.section_slug != SECTIONS[s].slug:
                raise ValueError("not in this section")
            day = bisect_right(self._day_first, index) - 1
            before = self.plan(day).sections[: index - self._day_first[day]].count(s)
            return totals[-1] - 1 - (totals[day] + before)

        return Lazy(range(totals[-1]), article_at, position_of)

    def _position(self, article: CorpusArticle) -> int:
        index = self.index_of(article.path)
        if index is None:
            raise ValueError("not in this corpus")
        return index


class Lazy(Sequence[CorpusArticle]):
    """Articles at positions of a `range`, each derived when read; slices stay lazy."""

    def __init__(
        self,
        positions: range,
        article_at: Callable[[int], CorpusArticle],
        position_of: Callable[[CorpusArticle], int],
    ) -> None:
        self._positions, self._at, self._of = positions, article_at, position_of

    def __len__(self) -> int:
        return len(self._positions)

    @overload
    def __getitem__(self, key: int) -> CorpusArticle: ...
    @overload
    def __getitem__(self, key: slice) -> Lazy: ...
    def __getitem__(self, key: int | slice) -> CorpusArticle | Lazy:
        if isinstance(key, slice):
            return Lazy(self._positions[key], self._at, self._of)
        return self._at(self._positions[key])

    def index(self, value: object, start: int = 0, stop: int | None = None) -> int:
        """Computed, not searched: a section of 30,000 articles is never scanned."""
        if not isinstance(value, CorpusArticle):
            raise ValueError("not an article")
        found = self._positions.index(self._of(value))  # ValueError when outside this slice
        if not start <= found < (len(self) if stop is None else stop):
            raise ValueError("not in the given bounds")
        return found


class _ByPath(Mapping[str, CorpusArticle]):
    def __init__(self, corpus: DecadeCorpus) -> None:
        self._corpus = corpus

    def __getitem__(self, path: str) -> CorpusArticle:
        index = self._corpus.index_of(path)
        if index is None:
            raise KeyError(path)
        return self._corpus.article(index)

    def __iter__(self) -> Iterator[str]:
        return (article.path for article in self._corpus.articles)

    def __len__(self) -> int:
        return len(self._corpus.articles)


class _ByMonth(Mapping[str, Sequence[CorpusArticle]]):
    """ "2017-07" -> that month's articles, oldest first."""

    def __init__(self, corpus: DecadeCorpus) -> None:
        self._corpus = corpus

    def __getitem__(self, month: str) -> Sequence[CorpusArticle]:
        try:
            first = date.fromisoformat(f"{month}-01")
        except ValueError:
            raise KeyError(month) from None
        last = (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)
        span = self._corpus.day_span(first, last)
        if not span:
            raise KeyError(month)
        return self._corpus.articles[span.start : span.stop]

    def __iter__(self) -> Iterator[str]:
        month = self._corpus.first_day
        while month <= self._corpus.last_day:
            yield f"{month:%Y-%m}"
            month = (month + timedelta(days=31)).replace(day=1)

    def __len__(self) -> int:
        return sum(1 for _ in self)
