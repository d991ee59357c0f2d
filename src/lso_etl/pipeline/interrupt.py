"""A request to stop, made by SIGTERM or SIGINT (`lso_etl.cli.signals`), that a run honours.

The CLI's signal handling sets it and raises `Interrupted` in the main thread; a run's paced
waits (the fetcher's pacing and retry sleeps) end at once when it is set, so a batch being
fetched in the background is abandoned instead of being fetched to its end at one request a
second. Nothing it fetched is lost: each response is in the raw archive, which the next run
indexes and reads. A run that ends while a stop is requested is recorded `interrupted`.
"""

from __future__ import annotations

import threading

_STOP = threading.Event()
_reason: list[str] = []  # the first signal's name: what the closing line says


class Interrupted(KeyboardInterrupt):
    """Raised where a run is told to stop. A KeyboardInterrupt, so that every layer (Prefect's
    task and flow engines, DuckDB transactions, `with` blocks) unwinds as it does for Ctrl-C."""


def request(reason: str) -> bool:
    """Ask the run to stop; True for the first request (later ones change nothing)."""
    first = not _STOP.is_set()
    if first:
        _reason.append(reason)
        _STOP.set()
    return first


def requested() -> bool:
    return _STOP.is_set()


def reason() -> str:
    return _reason[0] if _reason else ""


def check() -> None:
    """Raise `Interrupted` if a stop was requested: between chunks, before follow-up work."""
    if _STOP.is_set():
        raise Interrupted(reason())


def sleep(seconds: float) -> None:
    """`time.sleep` for paced waits that ends at once with `Interrupted` when a stop is asked."""
    if _STOP.wait(max(0.0, seconds)):
        raise Interrupted(reason())


def reset() -> None:
    """Forget a stop request (a process that runs again after an interrupt: tests)."""
    _STOP.clear()
    _reason.clear()
