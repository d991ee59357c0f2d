"""A wait for a locked warehouse, on a terminal: one line that counts the seconds, then one
final line (the lock is free, or the error that ends the wait).

The warehouse says when a wait starts and ends as two log records marked `lock_wait`
(`store.warehouse.LOCK_WAIT_STARTS`/`ENDS`, `store.writer_lock`). Off a terminal they are two
plain log lines, as cron mail wants; on one, the first becomes a rich status whose seconds
tick and the second replaces it, instead of a log line with a timestamp and a logger's name.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.errors import LiveError
from rich.status import Status

# Where the waits are told: a DuckDB lock (runs, `sql`, notebooks) and the writer lock (runs).
WAITING_LOGGERS = ("lso_etl.store.warehouse", "lso_etl.store.analyst.readonly",
                   "lso_etl.store.writer_lock")  # fmt: skip


class _CountingLine(logging.Handler):
    def __init__(self, console: Console) -> None:
        super().__init__(logging.NOTSET)
        self.console = console
        self.status: Status | None = None
        self.stopped = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        phase = getattr(record, "lock_wait", None)
        if phase == "starts":
            self.close_line()
            self._count(record.getMessage())
        elif phase == "ends":
            self.close_line()
            self.console.print(record.getMessage(), markup=False, highlight=False)
        else:  # another warning of these loggers: above the line, as a log line would be
            self.console.print(self.format(record), markup=False, highlight=False)

    def _count(self, message: str) -> None:
        started = time.monotonic()
        status = self.console.status(f"{message} (0 s)")
        try:
            status.start()
        except LiveError:  # the backfill's bar is showing: a plain line above it, then
            self.console.print(message, markup=False, highlight=False)
            return
        self.status = status
        self.stopped.clear()
        stopped = self.stopped

        def tick() -> None:
            while not stopped.wait(1.0):
                status.update(f"{message} ({time.monotonic() - started:.0f} s)")

        threading.Thread(target=tick, name="lock-wait", daemon=True).start()

    def close_line(self) -> None:
        """Take the counting line away (the final line is printed in its place)."""
        if self.status is not None:
            self.stopped.set()
            self.status.stop()
            self.status = None


@contextmanager
def lock_waits_shown(console: Console) -> Iterator[None]:
    """While the block runs, show lock waits as one counting line on a terminal; elsewhere
    leave them to the log. The console of the backfill's bar when stdout is a terminal: two
    live displays on one screen would overwrite each other, one console refuses the second."""
    if not console.is_terminal:
        yield
        return
    line = _CountingLine(console)
    line.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    loggers = [logging.getLogger(name) for name in WAITING_LOGGERS]
    for logger in loggers:
        logger.addHandler(line)
        logger.propagate = False  # not also printed by the root's handler
    try:
        yield
    finally:
        line.close_line()  # an error ended the wait: its one line follows
        for logger in loggers:
            logger.removeHandler(line)
            logger.propagate = True
