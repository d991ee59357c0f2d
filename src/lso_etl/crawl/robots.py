"""robots.txt kept across runs, as long as RFC 9309 allows, and re-read conditionally.

RFC 9309 (section 2.4) lets a crawler use a robots.txt it has read for up to 24 hours. The
runs of one backfill share a `RobotsMemo` (a decade's 130 chunks read robots.txt once, not 130
times), and the pipeline keeps its copies in the crawl state between runs, so a daily run an
hour after a backfill does not ask again. Past 24 hours the copy is not trusted: robots.txt is
asked for again, with the validators it came with (If-None-Match / If-Modified-Since), and a
304 renews the copy without a body. The age is wall-clock time (UTC), as it crosses processes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

MAX_AGE = timedelta(hours=24)


@dataclass(frozen=True)
class RobotsCopy:
    """robots.txt as read: its text (empty: "no restrictions", as for a 4xx) and validators."""

    url: str
    body: str
    etag: str | None
    last_modified: str | None
    fetched_at: datetime  # aware, UTC


class RobotsMemo:
    """The robots.txt copies of a backfill's runs, or of runs a warehouse remembers."""

    def __init__(
        self,
        copies: Iterable[RobotsCopy] = (),
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._copies = {copy.url: copy for copy in copies}
        self._now = now
        self._lock = threading.Lock()

    def remember(self, copies: Iterable[RobotsCopy]) -> None:
        """Add copies read elsewhere (an earlier run); of two copies of one URL, the newer wins."""
        with self._lock:
            for copy in copies:
                mine = self._copies.get(copy.url)
                if mine is None or copy.fetched_at > mine.fetched_at:
                    self._copies[copy.url] = copy

    def fresh(self, url: str) -> RobotsCopy | None:
        """The copy of `url` read less than 24 hours ago, if any."""
        with self._lock:
            copy = self._copies.get(url)
        if copy is None or not self._now() - MAX_AGE < copy.fetched_at <= self._now():
            return None
        return copy

    def stale(self, url: str) -> RobotsCopy | None:
        """The copy of `url` whatever its age: its validators make the next request conditional."""
        with self._lock:
            return self._copies.get(url)

    def put(self, url: str, body: str, etag: str | None, last_modified: str | None) -> None:
        with self._lock:
            self._copies[url] = RobotsCopy(url, body, etag, last_modified, self._now())

    def renew(self, url: str) -> RobotsCopy | None:
        """A 304 answered: the copy is good for another 24 hours."""
        with self._lock:
            copy = self._copies.get(url)
            if copy is not None:
                self._copies[url] = copy = replace(copy, fetched_at=self._now())
            return copy

    def copies(self) -> list[RobotsCopy]:
        with self._lock:
            return list(self._copies.values())
