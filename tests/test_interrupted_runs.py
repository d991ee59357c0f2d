"""Runs left `running` by a killed process are closed as `interrupted` by the next run, which
says so in its log (issue 12, item 10); a run whose process is alive is never closed, even while
it has given the warehouse back (a paced run does, between batches)."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest

from lso_etl.models import RunCounts
from lso_etl.pipeline.run import run_window
from lso_etl.replay.model import Corpus
from lso_etl.replay.server import ReplaySite
from lso_etl.settings import Settings
from lso_etl.store import runs, warehouse

ROOT = Path(__file__).resolve().parents[1]
# A run in another process: started, the warehouse closed again, then alive until killed.
HOLDER = """
import sys, time
from pathlib import Path
from lso_etl.store import warehouse
with warehouse.connect(Path(sys.argv[1])) as con:
    run_id = warehouse.start_run(con, "backfill-chunk", {}, "http://127.0.0.1:9", True, "test")
print(run_id, flush=True)
time.sleep(120)
"""


def _status(db: Path) -> dict[str, tuple[str, datetime | None, datetime]]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("select run_id, status, finished_at, started_at from runs").fetchall()
    return {run_id: (status, finished, started) for run_id, status, finished, started in rows}


def _start_holder(db: Path) -> tuple[subprocess.Popen[str], str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None
    return holder, holder.stdout.readline().strip()


def test_a_killed_run_is_closed_as_interrupted_by_the_next_run_and_a_live_one_is_not(
    corpus: Corpus, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "lso.duckdb"
    with warehouse.connect(db) as con:
        warehouse.migrate(con)
        # A row from a run killed before runs held lock files: no file, so no live process.
        long_ago = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
        con.execute(
            "insert into runs (run_id, flow, base_url, respect_robots, parser_version,"
            " started_at, status) values ('0ld0ld0ld0ld', 'daily', 'http://127.0.0.1:9', true,"
            " 'v', ?, 'running')",
            [long_ago],
        )
    holder, live = _start_holder(db)
    try:
        with warehouse.connect(db) as con:  # the holder is alive, and not holding the file
            mine = warehouse.start_run(con, "test", {}, "http://127.0.0.1:9", True, "test")
            also_mine = warehouse.start_run(con, "test", {}, "http://127.0.0.1:9", True, "test")
        seen_alive = _status(db)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
        if holder.stdout is not None:
            holder.stdout.close()
    assert seen_alive[live][0] == "running"  # another process's live run is left alone
    assert seen_alive[mine][0] == "running"  # and so is this process's own unfinished run
    assert seen_alive["0ld0ld0ld0ld"][:2] == ("interrupted", long_ago)  # its last sign of life

    with warehouse.connect(db) as con:
        warehouse.finish_run(con, mine, "completed", RunCounts({}), 0, 0)
        warehouse.finish_run(con, also_mine, "completed", RunCounts({}), 0, 0)
    caplog.set_level(logging.WARNING, logger="lso_etl.store.runs")
    caplog.clear()  # only what the run after the kill says
    with ReplaySite(corpus) as site:  # a real run after the kill
        settings = Settings.from_env({}, base_url=site.base_url, db=db, min_delay=0.0)
        summary = run_window(
            "backfill-chunk", settings, (date(2017, 7, 1), date(2017, 7, 2)), ("sitemap",), None, {}
        )
    after = _status(db)
    status, finished, started = after[live]
    assert status == "interrupted"
    assert finished == started  # it did nothing but start: its last sign of life, not "now"
    assert after[summary["run_id"]][0] == "completed"
    assert {s for run_id, (s, _, _) in after.items() if run_id != live} == {
        "completed",
        "interrupted",
    }
    said = [r.getMessage() for r in caplog.records if "closed as interrupted" in r.getMessage()]
    assert len(said) == 1 and said[0].startswith("1 run(s) left running by a process that died")
    assert live in said[0] and "started 20" in said[0]
    assert not list(runs.lock_dir(db).iterdir())  # every lock file is gone: nothing left behind
