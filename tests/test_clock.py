"""The virtual clock paced runs can be measured on without waiting (issue 13)."""

from __future__ import annotations

import threading
import time

from lso_etl.crawl.clock import REAL_CLOCK, Clock, VirtualClock


def test_a_virtual_clock_moves_only_by_what_is_slept_and_never_waits() -> None:
    clock: Clock = VirtualClock(100.0)
    began = time.monotonic()
    for _ in range(3600):  # an hour of one-second pacing
        clock.sleep(1.0)
    clock.sleep(-5.0)  # a wait already over is no wait
    assert clock.monotonic() == 3700.0
    assert time.monotonic() - began < 2  # generous: measured ~2 ms


def test_threads_sleeping_on_a_virtual_clock_each_advance_it() -> None:
    clock = VirtualClock()
    workers = [threading.Thread(target=clock.sleep, args=(0.5,)) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert clock.monotonic() == 4.0 and clock.sleeps == 8


def test_the_real_clock_sleeps_for_real() -> None:
    began = REAL_CLOCK.monotonic()
    REAL_CLOCK.sleep(0.05)
    assert REAL_CLOCK.monotonic() - began >= 0.05
