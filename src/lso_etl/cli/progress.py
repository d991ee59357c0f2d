"""Progress of a long backfill, shown by the CLI while the flow does the work.

Flows announce progress as log records on `pipeline.report.progress_log` (the
`lso_etl.progress` logger, with `total` or `advance` and `articles` in `extra`); the CLI turns
them into a rich progress bar on a terminal. Flows stay free of any display code, and a scheduled run simply logs them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

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
    try:
        with bar:
            yield
    finally:
        progress_log.removeHandler(handler)
