"""A wait for a locked warehouse is one line that updates, then one final line (issue 14).

Another process really holds the DuckDB file until the wait is 2.5 s old; the wait is shown on a
terminal (a rich console forced to be one) and in a pipe (the log, through `main()`)."""

from __future__ import annotations

import io
import logging
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from rich.console import Console

from lso_etl.cli import main as cli_main
from lso_etl.cli.lock_wait import WAITING_LOGGERS, lock_waits_shown
from lso_etl.store import warehouse

ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class _ReleaseAfterTheWaitStarts(logging.Handler):
    """Lets the holder go `seconds` after the wait is announced: however slow this machine is
    to start the command, the wait happens, and lasts long enough to tick."""

    def __init__(self, holder: subprocess.Popen[str], seconds: float) -> None:
        super().__init__()
        self.timer = threading.Timer(seconds, holder.kill)

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, "lock_wait", None) == "starts":
            self.timer.start()


@contextmanager
def _held_until_waited_for(db: Path, seconds: float = 2.5) -> Iterator[None]:
    """Another process holds `db` open (DuckDB's lock) until `seconds` into the wait."""
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(db)!r});"
         " print('held', flush=True); time.sleep(300)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    release = _ReleaseAfterTheWaitStarts(holder, seconds)
    told = [logging.getLogger(name) for name in WAITING_LOGGERS]  # (the CLI may stop them
    for logger in told:  # propagating while it shows the wait)
        logger.addHandler(release)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        yield
    finally:
        for logger in told:
            logger.removeHandler(release)
        release.timer.cancel()
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "lso.duckdb"
    with warehouse.connect(path) as con:
        warehouse.migrate(con)
    return path


def test_on_a_terminal_the_wait_is_one_counting_line_then_one_final_line(db: Path) -> None:
    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=200)
    with (
        _held_until_waited_for(db),
        lock_waits_shown(terminal),
        warehouse.connect(db, read_only=True, wait_seconds=30),
    ):
        pass
    drawn = ESCAPES.sub("", screen.getvalue())
    frames = [frame.strip() for frame in drawn.replace("\n", "\r").split("\r") if frame.strip()]
    counting = [f for f in frames if "is locked by process" in f]
    assert counting and all(f.endswith(" s)") for f in counting)  # the seconds tick in place
    assert {re.search(r"\((\d+) s\)$", f)[1] for f in counting} >= {"0", "1"}  # type: ignore[index]
    final = [f for f in frames if "is free after" in f]
    assert final == [f"warehouse {db} is free after {final[0].split()[-2]} s"]
    assert "WARNING" not in drawn and "lso_etl.store" not in drawn  # no log line's prefix
    assert drawn.rstrip().endswith(final[0])  # the counting line is gone, the final one stays


def test_in_a_pipe_the_wait_is_two_log_lines(
    db: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """Off a terminal the log has them (pytest's handler stands in for the stderr one)."""
    monkeypatch.setattr(sys, "argv", ["lso-etl", "--db", str(db), "sql", "select 42 as answer"])
    with _held_until_waited_for(db), pytest.raises(SystemExit) as ended:
        cli_main.main()
    assert ended.value.code == 0 and capsys.readouterr().out == "answer\n42\n"
    said = [r.getMessage() for r in caplog.records if r.name.startswith("lso_etl.store")]
    assert len(said) == 2, said
    assert "is locked by process" in said[0] and "waiting up to 30 s" in said[0]
    assert re.search(r"is free after \d+ s$", said[1]), said
