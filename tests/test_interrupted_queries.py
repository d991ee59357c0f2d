"""Ctrl-C in the middle of an analyst's query ends as every other interruption does: one line,
`error: interrupted`, exit 130. DuckDB turns the KeyboardInterrupt into RuntimeError("Query
interrupted"), which printed a traceback and exit 1 (found by a hostile pass, review-s22)."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
from demo_warehouse import demo_db

CLI = Path(sys.executable).with_name("lso-etl")  # the console script uv installed
# Forty billion rows: minutes of work, so the signal always lands inside the query.
ENDLESS = "select sum(a.range * b.range) from range(200000) a, range(200000) b"


def test_ctrl_c_inside_a_query_is_one_line_and_exit_130(tmp_path: Path) -> None:
    db = tmp_path / "lso.duckdb"
    shutil.copy(demo_db(), db)
    worker = subprocess.Popen(
        [str(CLI), "--db", str(db), "sql", ENDLESS],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    time.sleep(2.0)  # imports done, the query running
    worker.send_signal(signal.SIGINT)
    _, err = worker.communicate(timeout=30)
    assert worker.returncode == 130, err
    assert err.strip().splitlines()[-1] == "error: interrupted", err
    assert "Traceback" not in err


def test_an_error_raised_while_cleaning_up_after_ctrl_c_is_still_an_interruption() -> None:
    """`export` detaches its snapshot in a `finally`: on the interrupted transaction that fails,
    and the command's own error (a UserError) carried the interrupt two links down."""
    from lso_etl.cli import entry
    from lso_etl.errors import UserError

    def raised() -> UserError:
        try:
            try:
                try:
                    raise KeyboardInterrupt
                except KeyboardInterrupt as stop:
                    raise RuntimeError("Query interrupted") from stop
            finally:
                raise duckdb.TransactionException("Cannot detach database")
        except duckdb.Error as exc:
            try:
                raise UserError(f"export failed: {exc}") from exc
            except UserError as error:
                return error

    assert entry._cut_by_ctrl_c(raised())
    assert not entry._cut_by_ctrl_c(UserError("no warehouse at x"))
