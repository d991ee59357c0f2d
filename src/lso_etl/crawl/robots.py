"""robots.txt kept across the runs of one process, as long as RFC 9309 allows."""

from __future__ import annotations

import threading
import time

from protego import Protego


class RobotsMemo:
    """robots.txt as read, shared by the runs of one backfill (each chunk is a run with its own
    Fetcher), so a decade's 130 chunks read it once, not 130 times. RFC 9309 lets a crawler
    keep it up to 24 hours; past that it is read again."""

    MAX_AGE = 24 * 3600.0

    def __init__(self) -> None:
        self._seen: dict[str, tuple[float, Protego]] = {}
        self._lock = threading.Lock()

    def get(self, url: str) -> Protego | None:
        with self._lock:
            at, robots = self._seen.get(url, (float("-inf"), None))
            return robots if time.monotonic() - at < self.MAX_AGE else None

    def put(self, url: str, robots: Protego) -> None:
        with self._lock:
            self._seen[url] = (time.monotonic(), robots)
