"""Data checks: `warehouse/checks/*.sql`, each a query returning the rows that break a rule.

A check passes when it returns nothing. They run at the end of every run (`finish_run`),
their counts land in `runs.checks`, and `lso-etl stats` shows the latest.
"""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb

log = logging.getLogger(__name__)

CHECKS_DIR = Path(__file__).resolve().parents[3] / "warehouse" / "checks"
SAMPLE = 3  # offending rows shown in the log line


def check_queries(root: Path = CHECKS_DIR) -> dict[str, str]:
    """Check name (file stem) -> its query, without the final semicolon."""
    return {
        path.stem: path.read_text(encoding="utf-8").strip().rstrip(";")
        for path in sorted(root.glob("*.sql"))
    }


def offending_rows(
    con: duckdb.DuckDBPyConnection, name: str, root: Path = CHECKS_DIR
) -> list[tuple[object, ...]]:
    return con.execute(check_queries(root)[name]).fetchall()


def run_checks(con: duckdb.DuckDBPyConnection, root: Path = CHECKS_DIR) -> dict[str, int]:
    """Offending rows per check; a failing check is logged with a sample of its rows."""
    counts = {}
    for name, query in check_queries(root).items():
        rows = con.execute(query).fetchall()
        counts[name] = len(rows)
        if rows:
            log.warning("data check %s: %d offending rows, e.g. %s", name, len(rows), rows[:SAMPLE])
    return counts
