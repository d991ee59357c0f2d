"""The time the Fetcher paces by: the machine's, or a virtual one that moves only when slept.

At the site's pace (one request a second, or its Crawl-delay) a decade-scale benchmark would
take hours. On a `VirtualClock` the Fetcher's pacing, Retry-After holds and retry back-offs
all decide exactly as they would, but a sleep advances the clock instead of waiting, so a
test or benchmark reads the paced duration (`monotonic()` at the end) without spending it.
The requests themselves take no virtual time: at a pace slower than the origin answers (the
real site: 1 s pacing, 1.7 s a page) add their own duration to what the clock says.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    def monotonic(self) -> float: ...
    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The machine's monotonic clock, and sleeps that wait."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class VirtualClock:
    """Starts at 0; only `sleep` moves it. Safe to share between the Fetcher's workers."""

    def __init__(self) -> None:
        self._now = 0.0
        self._lock = threading.Lock()
        self.sleeps = 0

    def monotonic(self) -> float:
        with self._lock:
            return self._now

    __call__ = monotonic  # the archives' pacing takes a bare `() -> float` clock

    @property
    def now(self) -> float:
        return self.monotonic()

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self._now += max(0.0, seconds)
            self.sleeps += 1


SYSTEM_CLOCK = SystemClock()
