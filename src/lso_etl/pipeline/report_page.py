"""The report page rewritten at the end of a run: the run's own last step, never its failure.

A run that loaded data has done its work; a page that could not be written (a full disk, the
warehouse held by a notebook) is one logged line, and the old page stays as it was.
"""

from __future__ import annotations

import logging

from lso_etl.settings import Settings
from lso_etl.store.analyst.report import build_report, default_path

log = logging.getLogger(__name__)


def report_path(settings: Settings) -> str:
    """Where the end of a run writes the page (for the run report, written before it)."""
    return str(default_path(settings.db))


def refresh_report(settings: Settings) -> str | None:
    """Rewrite the warehouse's report page; its path, or None when it could not be written."""
    try:
        written = build_report(settings.db)
    except Exception as exc:  # whatever it was, the run's data is loaded: say it and go on
        first_line = (str(exc).splitlines() or [""])[0]
        log.warning("report page not written: %s: %s", type(exc).__name__, first_line)
        return None
    log.info("report page %s written (%d bytes, %.2f s)", written.path, written.bytes,
             written.seconds)  # fmt: skip
    return str(written.path)
