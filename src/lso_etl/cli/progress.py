"""Progress of a long backfill, shown by the CLI while the flow does the work.

Flows announce progress as log records on `pipeline.report.progress_log` (the
`lso_etl.progress` logger, with `total` or `advance` and `articles` in `extra`); the CLI turns
them into a rich progress bar on a terminal. Flows stay free of any display code, and a scheduled run simply logs them.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from lso_etl.pipeline.report import progress_log


class _BarHandler(logging.Handler):
    def __init__(self, bar: Progress) -> None:
        super().__init__(logging.INFO)
        self.bar = bar
        self.task = bar.add_task("chunks", total=None, articles=0)

    def emit(self, record: logging.LogRecord) -> None:
        total = getattr(record, "total", None)
        if total is not None:
            self.bar.update(self.task, total=total)
        articles = getattr(record, "articles", 0)
        self.bar.update(self.task, advance=getattr(record, "advance", 0))
        self.bar.update(self.task, articles=self.bar.tasks[self.task].fields["articles"] + articles)


@contextmanager
def progress_bar(console: Console) -> Iterator[None]:
    """Show chunk progress, articles loaded and an ETA while the block runs."""
    bar = Progress(
        TextColumn("[bold]backfill[/bold]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("chunks · {task.fields[articles]} articles"),
        TimeRemainingColumn(),
        console=console,
    )
    handler = _BarHandler(bar)
    progress_log.addHandler(handler)
    progress_log.setLevel(logging.INFO)
    progress_log.propagate = False  # the bar draws these records: not also a log line through it
    before = sys.stderr
    try:
        with bar, _logs_above(before, sys.stderr):  # the bar redirects sys.stderr on entry
            yield
    finally:
        progress_log.propagate = True
        progress_log.removeHandler(handler)


@contextmanager
def _logs_above(real: TextIO, redirected: TextIO) -> Iterator[None]:
    """Point the log handlers that write to the real stderr (ours, Prefect's rich console) at
    the bar's redirected one while it shows: a warning is then printed above the bar, whole,
    instead of through it. Handlers keep the stream they were made with, so the bar's own
    redirection of `sys.stderr` does not reach them."""
    swapped: list[tuple[Any, str]] = []
    if redirected is not real:
        for handler in _all_handlers():
            for owner, name in ((handler, "stream"), (getattr(handler, "console", None), "file")):
                if owner is not None and getattr(owner, name, None) is real:
                    setattr(owner, name, redirected)
                    swapped.append((owner, name))
    try:
        yield
    finally:
        for owner, name in swapped:
            setattr(owner, name, real)


def _all_handlers() -> list[logging.Handler]:
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    return [handler for logger in loggers for handler in logger.handlers]
