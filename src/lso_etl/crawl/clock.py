"""The time a crawl is paced by: the real one, or a virtual one for tests and benchmarks.

A decade's backfill at one request a second is two days of politeness budget. To measure paced
behaviour at that scale (how many seconds a run would take, whether a Retry-After holds every
worker back) without waiting for it, the pacing reads and advances a `Clock`: a `VirtualClock`
moves only when something sleeps on it, by exactly what was asked.

The Fetcher does not take a clock yet (crawl/fetch.py is another helper's file): the proposed
change is that `Fetcher.__init__` accepts `clock: Clock = REAL_CLOCK`, and `_pace` and the
Retry-After bookkeeping call `self._clock.monotonic()` / `self._clock.sleep()` instead of
`time.monotonic()` / `self._sleep`.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class RealClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


REAL_CLOCK = RealClock()


class VirtualClock:
    """Seconds that pass only when slept, at once. With one request at a time (the default
    pacing) the total is exactly what the real clock would have waited; threads sleeping on it
    at once each advance it, so with concurrency it over-counts (an upper bound)."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._lock = threading.Lock()
        self.sleeps = 0

    def monotonic(self) -> float:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self._now += max(0.0, seconds)
            self.sleeps += 1
