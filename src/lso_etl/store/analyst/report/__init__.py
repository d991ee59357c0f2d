"""`lso-etl report`: one self-contained HTML page that shows the warehouse at a glance.

`data` asks the warehouse (read-only, sandboxed) for every figure as plain rows, `charts`
describes the charts in Vega-Lite (written with Altair), `page` writes the HTML around them.
The flows rewrite the page after every run (`lso_etl.pipeline.report_page`).

Where it goes unless told: next to the warehouse, `report.html` for the default warehouse
(`lso.duckdb`), `<stem>.report.html` for any other (`demo.duckdb` -> `demo.report.html`), so
two warehouses in one folder never overwrite each other's page.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lso_etl.errors import UserError
from lso_etl.store.analyst.readonly import open_read_only
from lso_etl.store.analyst.report import data, page
from lso_etl.store.folders import make_folders

DEFAULT_STEM = "lso"  # the default warehouse's file stem (warehouse/lso.duckdb)


def default_path(db: Path) -> Path:
    """Where the page of warehouse `db` goes when no path is given."""
    name = "report.html" if db.stem == DEFAULT_STEM else f"{db.stem}.report.html"
    return db.with_name(name)


@dataclass(frozen=True)
class Written:
    path: Path
    bytes: int
    seconds: float


def build_report(
    db: Path, to: Path | None = None, first: date | None = None, last: date | None = None
) -> Written:
    """Read the warehouse read-only, write the page atomically (a reader never sees half)."""
    started = time.monotonic()
    target = to or default_path(db)
    if target.exists() and not target.is_file():  # `--to .`, a folder, a device: never replaced
        what = "a folder" if target.is_dir() else "not a regular file"
        example = target / default_path(db).name if target.is_dir() else "report.html"
        raise UserError(f"{target} is {what}: name the page's file, e.g. {example}")
    with open_read_only(db) as con:
        figures = data.collect(con, first, last)
    html = page.render(figures, db.name).encode("utf-8")
    try:
        _write_atomically(target, html)
    except OSError as exc:  # read-only disk, full disk, a file where a folder should be
        raise UserError(f"cannot write the report to {target}: {exc.strerror or exc}") from None
    return Written(target, len(html), round(time.monotonic() - started, 2))


def _write_atomically(target: Path, content: bytes) -> None:
    make_folders(target.parent)
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
