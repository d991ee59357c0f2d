"""What commands print, for a terminal and for a pipe.

On a terminal: rich tables, folded (never cut with "…") to the window's width. Anywhere else
(a pipe, a file, cron mail): tab-separated lines, a header first, nothing cut or wrapped, so
`grep`, `cut -f` and spreadsheets read them. Cells are readable in both: times to the minute,
`name=value` for counts, lists joined with commas.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

# soft_wrap: a line longer than the window is left whole (a terminal wraps it by itself, a
# pipe receives it intact); rich otherwise breaks every line at 80 columns off a terminal.
out = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, soft_wrap=True, highlight=False)


def cell(value: Any) -> str:
    """One value as text: readable, on one line, never Python's repr."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return " ".join(f"{key}={cell(item)}" for key, item in value.items())
    if isinstance(value, list | tuple | set):
        return ", ".join(cell(item) for item in value)
    return " ".join(str(value).split()) if isinstance(value, str) else str(value)


def line(text: str) -> None:
    """Plain text on stdout, never read as rich markup (a path may hold [brackets]); off a
    terminal byte for byte (rich would expand tabs to spaces)."""
    if out.is_terminal:
        out.print(text, markup=False)
    else:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


def table(columns: Sequence[str], rows: Iterable[Sequence[Any]], title: str | None = None) -> None:
    """A table on a terminal; a `# title` line and TSV (with a header) anywhere else."""
    texts = [[cell(value) for value in row] for row in rows]
    if out.is_terminal:
        shown = Table(title=title)
        for column in columns:
            shown.add_column(column, overflow="fold")
        for row in texts:
            shown.add_row(*(Text(text) for text in row))  # data, not markup
        out.print(shown)
        return
    if title:
        sys.stdout.write(f"# {title}\n")
    for row in [list(columns), *texts]:
        sys.stdout.write("\t".join(text.replace("\t", " ") for text in row) + "\n")
    sys.stdout.flush()
