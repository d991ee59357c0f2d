"""Ctrl-C in the seconds the flow engine takes to start, before any run is recorded (found
verifying issue 14): the line said "the run is recorded as interrupted; ... to resume" and
left an empty DuckDB file that every later command refused as "not an lso-etl warehouse"."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from lso_etl.cli import main as cli_main
from lso_etl.cli import prefect_env, signals


def _run(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(sys, "argv", ["lso-etl", *argv])
    with pytest.raises(SystemExit) as ended:
        cli_main.main()
    return int(ended.value.code or 0)


def test_a_stop_while_the_flow_engine_starts_leaves_no_file_and_says_nothing_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    @contextmanager
    def starting_slowly(db: Path) -> Iterator[str]:
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C while Prefect's API comes up
        time.sleep(10)
        yield "never reached"

    monkeypatch.setattr(prefect_env, "prefect_api", starting_slowly)
    # The stop's watchdog (exit anyway after 8 s) would end this test process, not a CLI's.
    monkeypatch.setattr(signals, "_exit_now", lambda grace: None)
    monkeypatch.setenv("PREFECT_LOGGING_LEVEL", "WARNING")
    db = tmp_path / "lso.duckdb"
    assert _run(["--db", str(db), "--base-url", "http://127.0.0.1:9", "daily"], monkeypatch) == 130
    said = capsys.readouterr().err.strip().splitlines()
    assert said[-1] == (
        "interrupted by SIGINT: stopped before the run started, nothing was written;"
        " run the same command again"
    )
    assert not db.exists() and not db.with_name("lso.duckdb.wal").exists()
    assert _run(["--db", str(db), "stats"], monkeypatch) == 2
    assert "no warehouse at" in capsys.readouterr().err  # not "not an lso-etl warehouse"


def test_a_ctrl_c_before_the_signal_handling_is_one_error_line_and_130(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """typer turns a KeyboardInterrupt inside a command into a silent exit 130: the user saw
    nothing at all when Ctrl-C landed while the warehouse was being opened."""

    def interrupted(settings: object, **_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_main, "open_or_fail", interrupted)
    assert _run(["--db", str(tmp_path / "lso.duckdb"), "daily"], monkeypatch) == 130
    assert capsys.readouterr().err == "error: interrupted\n"
