"""SIGTERM and SIGINT end a CLI run within seconds, whether sent to us or to our whole group.

Prefect's flow engine replaces the SIGTERM handler while a flow runs (it raises its own
`TerminationSignal`, which a chunk's task takes for a crash, and re-sends the signal later).
So SIGTERM is blocked in every thread and taken by a thread of ours with `sigwait`: no other
handler ever sees it. That thread records the stop request (`pipeline.interrupt`, which also
ends the run's paced waits) and delivers SIGINT to the main thread: a real signal, so a main
thread blocked on a lock or a sleep wakes up and raises `Interrupted`. SIGINT itself (Ctrl-C)
goes to the main thread's handler directly. The run unwinds: the load transaction in flight
rolls back, the run's row is closed `interrupted`, the Prefect server of this process stops.
If that takes longer than the grace period, the process exits anyway (the run's lock file
then tells the next run it was interrupted).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from lso_etl.cli.exits import ExitCode
from lso_etl.pipeline import interrupt

GRACE_SECONDS = 8.0  # under the 10 s an operator (or systemd's default 90 s) is promised


@contextmanager
def stop_on_signals(db: Path | None = None, grace: float = GRACE_SECONDS) -> Iterator[None]:
    """Within the block, SIGTERM or SIGINT stops the run: exit 130 with one line on stderr;
    the runs of warehouse `db` this process left open are recorded `interrupted`."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals can only be handled in the main thread: nothing to arrange
        return
    interrupt.reset()
    runs_before = _runs_started()
    stopper = _Stopper(grace)
    previous_sigint = signal.signal(signal.SIGINT, stopper.on_sigint)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})  # threads started now inherit it
    waiter = threading.Thread(target=stopper.wait_for_sigterm, name="sigterm", daemon=True)
    waiter.start()
    try:
        yield
    except BaseException as exc:
        if not interrupt.requested() or isinstance(exc, SystemExit):
            raise
        # However the stop surfaced (Interrupted, a DuckDB interrupt, a closed client), the
        # run was told to stop: say so once, with the exit code a shell expects.
        a_run_started = _runs_started() > runs_before  # in this block, not earlier in the process
        if db is not None and a_run_started:
            _record_interrupted(db)
        left = _what_was_left(a_run_started)
        print(f"interrupted by {interrupt.reason()}: {left}", file=sys.stderr, flush=True)
        raise SystemExit(ExitCode.INTERRUPTED) from None
    finally:
        stopper.closing = True
        signal.pthread_kill(waiter.ident or 0, signal.SIGTERM)  # ends its sigwait
        waiter.join(timeout=1)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
        signal.signal(signal.SIGINT, previous_sigint)


class _Stopper:
    def __init__(self, grace: float) -> None:
        self.grace = grace
        self.closing = False
        self.main = threading.main_thread().ident or 0
        self._raised = False

    def wait_for_sigterm(self) -> None:
        while True:
            signal.sigwait({signal.SIGTERM})
            if self.closing:
                return
            self._stop("SIGTERM")
            signal.pthread_kill(self.main, signal.SIGINT)  # wakes the main thread, see above

    def on_sigint(self, signum: int, frame: FrameType | None) -> None:
        self._stop("SIGINT")
        if not self._raised:  # the first one unwinds the run; later ones must not cut that short
            self._raised = True
            raise interrupt.Interrupted(interrupt.reason())

    def _stop(self, name: str) -> None:
        if interrupt.request(name):
            watchdog = threading.Timer(self.grace, _exit_now, args=(self.grace,))
            watchdog.daemon = True
            watchdog.start()


def _runs_started() -> int:
    from lso_etl.store import runs

    return len(runs.started_here())


def _what_was_left(a_run_started: bool) -> str:
    """The second half of the stop's line: a stop during the flow engine's start-up (seconds
    long) comes before any run was recorded, and there is nothing to resume."""
    if not a_run_started:
        return "stopped before the run started, nothing was written; run the same command again"
    return "the run is recorded as interrupted; run the same command again to resume"


def _record_interrupted(db: Path) -> None:
    """Close what the stop cut short before its row was closed (between opening a run and
    entering the block that closes it, or inside that block's update)."""
    from lso_etl.store import runs, warehouse

    if not runs.started_here():
        return
    try:
        with warehouse.connect(db, wait_seconds=2.0) as con:  # within the grace period
            runs.close_own_unfinished(con)
    except Exception as exc:  # the next run closes them instead (their lock files are free)
        print(f"note: runs left open, the next run closes them: {exc}", file=sys.stderr)


def _exit_now(grace: float) -> None:
    """The last resort when unwinding hangs (a request that does not time out, a stuck lock)."""
    os.write(2, f"error: still stopping after {grace:.0f} s: exiting now\n".encode())
    os._exit(ExitCode.INTERRUPTED)
