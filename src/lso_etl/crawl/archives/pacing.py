"""Each archive host's own pace, and its back-off after a 429 or a failure, with the clock injected.

The Wayback Machine's CDX endpoint allows about 60 requests a minute per IP, and its operators
block an IP at the firewall for an hour (doubling each time) when 429s keep coming. So each
(host, lane) has a floor between request starts (CDX: 1.5 s), and a 429 stops every lane of
that host until its Retry-After (or, without one, at least a minute) has passed; too many in a
row and the host is not asked again this run. A 5xx or a failed connection backs the whole
host off the same way (the wait doubling from LSO_BACKOFF: an overloaded archive answers 503
before it answers 429), and a host that keeps failing is given up for the run. Every decision
is logged (`decisions`), so a test reads the pacing instead of waiting for it: the clock and
sleep are injected.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

CDX_INTERVAL = 1.5  # seconds between CDX calls to one host: under the ~60 a minute allowed
NO_RETRY_AFTER_WAIT = 60.0  # a 429 without Retry-After: wait at least a minute
MAX_THROTTLES = 3  # 429s in a row from one host: stop asking it for this run
# Failures (5xx, failed connections) in a row from one host before it is given up for the run:
# two requests' worth of tries (LSO_MAX_ATTEMPTS each), so one capture the archive cannot serve
# costs only that capture, while a host that is down is given up at the second one.
FAILING_REQUESTS = 2


class HostStopped(Exception):
    """The host answered 429 (or failed) too often, or asked for too long a wait: not asked
    again this run."""


@dataclass(frozen=True)
class Decision:
    host: str
    lane: str  # "cdx", "playback", "robots", "data"
    at: float  # the clock when the request was let go
    waited: float  # seconds slept for it (pace or back-off)


@dataclass
class _Host:
    not_before: float = float("-inf")  # a 429's back-off: no lane of the host before this
    throttles: int = 0  # 429s in a row
    failures: int = 0  # 5xx answers and failed connections in a row
    stopped: str | None = None
    last: dict[str, float] = field(default_factory=dict)  # lane -> last start


class Pacing:
    """The pace of every archive host, shared by all the chunk runs of one backfill."""

    def __init__(
        self,
        intervals: dict[str, float],
        max_wait: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        backoff: float = 1.0,
        max_failures: int = 8,
    ) -> None:
        self.intervals = intervals  # lane -> seconds between starts
        self.max_wait = max_wait  # the longest Retry-After honoured (LSO_MAX_RETRY_AFTER)
        self.backoff = backoff  # the first failure's wait (LSO_BACKOFF), doubling in a row
        self.max_failures = max_failures  # failures in a row before the host is given up
        self.clock = clock
        self._sleep = sleep
        self._hosts: dict[str, _Host] = {}
        self._lock = threading.Lock()
        self.decisions: list[Decision] = []
        self.backoffs: list[tuple[str, float, float]] = []  # (host, from, until)

    def turn(self, host: str, lane: str) -> None:
        """Wait for this request's turn on `host`; raise HostStopped if the host is given up."""
        with self._lock:
            state = self._hosts.setdefault(host, _Host())
            if state.stopped:
                raise HostStopped(state.stopped)
            now = self.clock()
            ready = max(state.last.get(lane, float("-inf")) + self.intervals.get(lane, 0.0),
                        state.not_before)  # fmt: skip
            wait = max(0.0, ready - now)
            if wait > 0:
                self._sleep(wait)
            at = self.clock()
            state.last[lane] = at
            self.decisions.append(Decision(host, lane, at, wait))

    def throttled(self, host: str, retry_after: float | None) -> float:
        """A 429 from `host`: back off all its lanes. Returns the wait; raises HostStopped when
        the host keeps refusing, or asks for longer than we may wait."""
        with self._lock:
            state = self._hosts.setdefault(host, _Host())
            state.throttles += 1
            wait = NO_RETRY_AFTER_WAIT if retry_after is None else max(retry_after, 0.0)
            if state.throttles >= MAX_THROTTLES or wait > self.max_wait:
                why = (f"{host} answered 429 {state.throttles} times in a row" if wait <= self.max_wait
                       else f"{host} asked to wait {wait:.0f} s, over the {self.max_wait:.0f} s cap")  # fmt: skip
                state.stopped = f"{why}: not asked again this run"
                raise HostStopped(state.stopped)
            now = self.clock()
            state.not_before = max(state.not_before, now + wait)
            self.backoffs.append((host, now, state.not_before))
            return wait

    def failed(self, host: str, why: str) -> float:
        """A 5xx or a failed connection from `host`: back off all its lanes, the wait doubling
        with each failure in a row (capped at `max_wait`). Returns the wait; raises HostStopped
        when the host keeps failing."""
        with self._lock:
            state = self._hosts.setdefault(host, _Host())
            state.failures += 1
            if state.failures >= self.max_failures:
                in_a_row = f"{host} failed {state.failures} times in a row (last: {why})"
                state.stopped = f"{in_a_row}: not asked again this run"
                raise HostStopped(state.stopped)
            wait: float = min(self.backoff * 2.0 ** (state.failures - 1), self.max_wait)
            now = self.clock()
            state.not_before = max(state.not_before, now + wait)
            self.backoffs.append((host, now, state.not_before))
            return wait

    def answered(self, host: str) -> None:
        """An answer that is neither a 429 nor a failure: the run of refusals is over."""
        with self._lock:
            state = self._hosts.setdefault(host, _Host())
            state.throttles = state.failures = 0

    def stops(self) -> list[str]:
        """Why each host given up this run was given up, one line each."""
        with self._lock:
            return [state.stopped for state in self._hosts.values() if state.stopped]

    def stopped(self, host: str) -> str | None:
        with self._lock:
            state = self._hosts.get(host)
            return state.stopped if state else None
