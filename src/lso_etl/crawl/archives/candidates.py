"""Which archived articles a publish-date range holds, from capture lists alone: pure code.

Publication date is not capture date: a page can be captured years after it went out. But
a capture never comes before publication, and each CMS numbers its articles in publication
order. So, per CMS generation:
- an article captured before the range starts was published before it: every id at or
  below the highest such id is out (`lo`, certain). Known articles in the warehouse give the
  same bound from their stored dates, and an upper one (`hi`, the lowest id stored as
  published after the range).
- `bound(id)`, the earliest first capture of this id or any higher one, is a date the
  article was published by. For the Wayback Machine's query of late captures, ids whose
  bound is more than `EDGE` past the range end are left out: its captures mostly come within
  days, so the next stories' captures close the window.
- what is left is narrowed by fetching (`pipeline.archives.probe`): ids are in publication
  order, so probes aimed by interpolating day on id find where the range starts and ends,
  from the inside; an article with a bound at or before the range end is known to be no later.
The article's own date, once fetched, has the last word.
Candidates are keyed by article id (site URL rules), never by URL string: http/https,
www/bare and tracking queries are one article. Each keeps all its good captures, in the
order they are tried (earliest first by default), same-content duplicates dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from lso_etl.models import Capture
from lso_etl.site.urls import classify

SITE_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
EDGE = timedelta(days=7)  # how far past the range end a bound may lie and still be fetched
NEAR = timedelta(days=30)  # the first CDX pass reads captures this far around the range
T = TypeVar("T")


@dataclass(frozen=True)
class Row:
    """One capture as an archive's index lists it."""

    capture: Capture
    status: int
    mime: str
    digest: str


@dataclass(frozen=True)
class Window:
    """The ids of one generation that can hold the range: strictly between lo and hi."""

    lo: int | None
    hi: int | None
    lo_why: str
    hi_why: str

    def holds(self, number: int) -> bool:
        return (self.lo is None or number > self.lo) and (self.hi is None or number < self.hi)


@dataclass(frozen=True)
class Candidate:
    article_id: str
    url: str  # canonical https://baolangson.vn/... URL
    captures: tuple[Capture, ...]  # in the order to try
    published_by: datetime  # no later than this (the capture bound)
    why: str


def range_utc(start: date, end: date) -> tuple[datetime, datetime]:
    """The range's first and last instants (site time), in UTC."""
    first = datetime.combine(start, time.min, SITE_TZ)
    last = datetime.combine(end + timedelta(days=1), time.min, SITE_TZ) - timedelta(seconds=1)
    return first.astimezone(UTC), last.astimezone(UTC)


def stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y%m%d%H%M%S")


def windows(
    rows: Iterable[Row], start: date, end: date, known: Mapping[str, date], guess_hi: bool = True
) -> dict[str, Window]:
    """Per generation, the id window the range's articles lie in (see the module docstring).
    `known`: article id -> publication date the warehouse holds. `guess_hi`: also close the
    window above from captures (`EDGE`, a guess that narrows a CDX query); without it only
    stored dates close it, and the way up from the pivot finds the end by fetching."""
    first, last = range_utc(start, end)
    result: dict[str, Window] = {}
    firsts = _first_captures(r for r in rows if r.status == 200)
    for generation in {*(i.split(":")[0] for i in firsts), *(i.split(":")[0] for i in known)}:
        mine, dated = _of(firsts, generation), _of(known, generation)
        before = [n for n, t in mine.items() if t < first]
        stored_before = [n for n, d in dated.items() if d < start]
        stored_after = [n for n, d in dated.items() if d > end]
        lo_options = [(max(before), "captured before the range")] if before else []
        if stored_before:
            lo_options.append((max(stored_before), "stored as published before the range"))
        lo, lo_why = max(lo_options) if lo_options else (None, "no id known before the range")
        bounds = _bounds(mine)
        late = [
            n for n, b in bounds.items() if guess_hi and b > last + EDGE and (lo is None or n > lo)
        ]
        hi_options = [(min(late), "it and every later id captured after the range")] if late else []
        if stored_after:
            hi_options.append((min(stored_after), "stored as published after the range"))
        hi, hi_why = min(hi_options) if hi_options else (None, "no id known after the range")
        result[generation] = Window(lo, hi, lo_why, hi_why)
    return result


def select(
    rows: Iterable[Row], start: date, end: date, known: Mapping[str, date], latest: bool = False
) -> list[Candidate]:
    """The articles the range can hold, one candidate each, oldest id first."""
    rows = list(rows)
    good = [r for r in rows if r.status == 200 and r.mime.startswith("text/html")]
    firsts = _first_captures(good)
    bounds_by_gen = {g: _bounds(_of(firsts, g)) for g in ("new", "old")}
    limits = windows(rows, start, end, known, guess_hi=False)
    grouped: dict[str, list[Row]] = {}
    for row in good:
        ident = classify(row.capture.original)
        if ident is not None:
            grouped.setdefault(ident.article_id, []).append(row)
    chosen: list[Candidate] = []
    for article_id, found in sorted(grouped.items(), key=lambda kv: _key(kv[0])):
        generation, number = article_id.split(":")[0], int(article_id.split(":")[1])
        window = limits.get(generation)
        if article_id in known or window is None or not window.holds(number):
            continue
        ordered = _ordered(found, latest)
        bound = bounds_by_gen[generation][number]
        why = (
            f"id {number} above {_edge(window.lo, window.lo_why)} and below"
            f" {_edge(window.hi, window.hi_why)}; published by {bound:%Y-%m-%d}"
            f" (first capture of it or a later id); {len(found)} captures,"
            f" {'latest' if latest else 'earliest'} first: {stamp(ordered[0].time)}"
        )
        url = classify(ordered[0].original)
        assert url is not None
        chosen.append(Candidate(article_id, url.canonical, tuple(ordered), bound, why))
    return chosen


def _ordered(found: Sequence[Row], latest: bool) -> list[Capture]:
    """Captures in the order to try, one per content digest (a broken copy's twin is broken too)."""
    seen: set[str] = set()
    ordered = []
    for row in sorted(found, key=lambda r: r.capture.time, reverse=latest):
        if row.digest not in seen:
            seen.add(row.digest)
            ordered.append(row.capture)
    return ordered


def _first_captures(rows: Iterable[Row]) -> dict[str, datetime]:
    firsts: dict[str, datetime] = {}
    for row in rows:
        ident = classify(row.capture.original)
        if ident is not None:
            at = firsts.get(ident.article_id)
            firsts[ident.article_id] = row.capture.time if at is None else min(at, row.capture.time)
    return firsts


def _of(by_id: Mapping[str, T], generation: str) -> dict[int, T]:
    """The entries of one generation, keyed by id number."""
    prefix = generation + ":"
    return {int(i.removeprefix(prefix)): v for i, v in by_id.items() if i.startswith(prefix)}


def _bounds(firsts: Mapping[int, datetime]) -> dict[int, datetime]:
    """id -> the earliest first capture of it or any higher id (a publication deadline)."""
    bounds, running = {}, datetime.max.replace(tzinfo=UTC)
    for number in sorted(firsts, reverse=True):
        running = min(running, firsts[number])
        bounds[number] = running
    return bounds


def _edge(number: int | None, why: str) -> str:
    return why if number is None else f"{number} ({why})"


def _key(article_id: str) -> tuple[str, int]:
    generation, number = article_id.split(":")
    return generation, int(number)


def id_pattern(low: int, high: int) -> str:
    """A regular expression matching exactly the decimal numbers in [low, high]."""
    if low > high:
        return "(?!)"
    parts: list[str] = []
    if len(str(low)) == len(str(high)):
        _ranges(str(low), str(high), parts)
    else:
        _ranges(str(low), "9" * len(str(low)), parts)
        for width in range(len(str(low)) + 1, len(str(high))):
            parts.append("[1-9]" + "[0-9]" * (width - 1))
        _ranges("1" + "0" * (len(str(high)) - 1), str(high), parts)
    return "(?:" + "|".join(parts) + ")"


def _ranges(low: str, high: str, out: list[str], prefix: str = "") -> None:
    """Same-width [low, high] as digit-class patterns (the classic range-to-regex split)."""
    if not low:
        out.append(prefix)
        return
    if low[0] == high[0]:
        _ranges(low[1:], high[1:], out, prefix + low[0])
        return
    rest = len(low) - 1
    if low[1:] == "0" * rest and high[1:] == "9" * rest:
        out.append(f"{prefix}[{low[0]}-{high[0]}]" + "[0-9]" * rest)
        return
    _ranges(low[1:], "9" * rest, out, prefix + low[0])
    if int(high[0]) - int(low[0]) > 1:
        out.append(f"{prefix}[{int(low[0]) + 1}-{int(high[0]) - 1}]" + "[0-9]" * rest)
    _ranges("0" * rest, high[1:], out, prefix + high[0])
