"""Two real processes on one warehouse file: an analyst holding it open while a load starts,
and two runs started together.

The contract (DuckDB lets one process hold a file, even read-only): the load waits, logging
who holds the file, and proceeds once it is released, or, past its wait, fails with
`WarehouseBusy` and a message saying what to do. Either way nothing is half-written: each
batch is one transaction, so even a loader killed mid-batch leaves whole batches only.
Two writing runs never overlap: the second waits for the first's writer lock (then finds its
work done) or refuses in one line, and no article is fetched twice.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb
import pytest
from demo_warehouse import demo_db

from lso_etl.replay.model import Corpus
from lso_etl.replay.server import ReplaySite
from lso_etl.store import checks, warehouse
from lso_etl.store.analyst.export import SNAPSHOT, export

WORKER = Path(__file__).with_name("concurrency_worker.py")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    copy = tmp_path / "lso.duckdb"
    shutil.copy(demo_db(), copy)
    return copy


def _start(*args: object) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.Popen(
        [sys.executable, str(WORKER), *map(str, args)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip


@contextmanager
def notebook(db: Path, seconds: float) -> Iterator[subprocess.Popen[str]]:
    """Another process holding `db` open read-only for `seconds`."""
    holder = _start("hold", db, seconds)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield holder
    finally:
        holder.kill()
        holder.communicate()


def _state(db: Path) -> tuple[object, ...]:
    """Row counts and data checks of a file that must open cleanly."""
    with warehouse.connect(db, read_only=True) as con:
        counts = con.execute(
            "select (select count(*) from articles), (select count(*) from article_versions),"
            " (select count(*) from article_search), (select count(*) from url_outcomes)"
        ).fetchone()
        failing = {k: v for k, v in checks.run_checks(con).items() if v}
    return counts, failing


def test_a_load_waits_for_the_notebook_then_proceeds(db: Path) -> None:
    (articles, versions, shadows, outcomes), _ = _state(db)  # type: ignore[misc]
    with notebook(db, 120.0) as holder:
        loader = _start("load", db, 60, 2)
        # The notebook closes once the loader says it waits, not after a fixed time: a loader
        # slow to start (a busy machine) found it closed already and never waited.
        assert loader.stderr is not None
        said = [loader.stderr.readline()]
        while said[-1] and "is locked by" not in said[-1]:
            said.append(loader.stderr.readline())
        holder.kill()
        holder.wait(timeout=30)
        out, rest = loader.communicate(timeout=120)
    err = "".join(said) + rest
    assert loader.returncode == 0, err
    assert f"is locked by process {holder.pid}" in err and "waiting up to" in err
    assert err.count("is locked by") == 1  # said once, not once a second
    assert out.split() == ["batch", "1", "batch", "2", "done"]
    assert _state(db) == ((articles + 100, versions + 100, shadows + 100, outcomes + 100), {})


def test_a_load_that_waits_too_long_fails_clearly_and_changes_nothing(db: Path) -> None:
    before = _state(db)
    with notebook(db, 60.0):
        loader = _start("load", db, 2, 1)
        _, err = loader.communicate(timeout=60)
    assert loader.returncode == 3
    assert "held open by another process" in err and "read a snapshot instead" in err
    assert _state(db) == before


@pytest.mark.parametrize("command", [["upgrade"], ["daily"]])
def test_when_busy_refuse_does_not_wait_for_a_notebook_either(
    command: list[str],
    db: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`LSO_WHEN_BUSY=refuse` is for jobs that must not sit waiting: they refused another run at
    once but waited 30 s on a notebook's hold of the file, then refused all the same."""
    from lso_etl.cli import main as cli_main

    before = _state(db)
    monkeypatch.setenv("LSO_WHEN_BUSY", "refuse")
    argv = ["lso-etl", "--db", str(db), "--base-url", "http://127.0.0.1:9", *command]
    monkeypatch.setattr(sys, "argv", argv)
    with notebook(db, 60.0) as holder:
        started = time.monotonic()
        with pytest.raises(SystemExit) as ended:
            cli_main.main()
        took = time.monotonic() - started
    err = capsys.readouterr().err.strip()
    assert ended.value.code == 75, err
    assert err.startswith(f"error: {db} is held open by another process (process {holder.pid} ")
    assert (
        err.endswith(
            ": a notebook or another run?) and is locked; close it, or read a snapshot instead"
            " (`lso-etl export`); retry later"
        )
        and err.count("\n") == 0
    ), err
    assert took < 20  # not the 30 s wait (the command's own start-up takes a few seconds)
    assert _state(db) == before


def test_a_loader_killed_mid_run_leaves_whole_batches_only(db: Path) -> None:
    (articles, versions, shadows, _), _ = _state(db)  # type: ignore[misc]
    loader = _start("load", db, 10, 200, 100)
    assert loader.stdout is not None and loader.stdout.readline().strip() == "batch 1"
    loader.send_signal(signal.SIGKILL)  # in the middle of a later batch, or between two
    loader.communicate()
    (now, versions_now, shadows_now, _), failing = _state(db)  # type: ignore[misc]
    added = now - articles
    assert added > 0 and added % 100 == 0
    assert (versions_now - versions, shadows_now - shadows, failing) == (added, added, {})


def test_a_snapshot_held_open_blocks_neither_loads_nor_the_next_export(
    db: Path, tmp_path: Path
) -> None:
    export(db, tmp_path / "out")
    snapshot = tmp_path / "out" / SNAPSHOT
    with notebook(snapshot, 60.0):
        loader = _start("load", db, 5, 1)
        _, err = loader.communicate(timeout=60)
        assert loader.returncode == 0, err
        export(db, tmp_path / "out")  # replaces the file the notebook has open
    with duckdb.connect(str(snapshot), read_only=True) as con:
        row = con.execute("select count(*) from articles where article_id like 'new:8%'").fetchone()
    assert row == (50,)


JUNE = (date(2017, 6, 1), date(2017, 6, 30))


def _backfill(db: Path, site: ReplaySite, when_busy: str) -> subprocess.Popen[str]:
    return _start("backfill", db, site.base_url, *JUNE, when_busy)


@pytest.mark.parametrize("when_busy", ["refuse", "wait"])
def test_a_second_backfill_on_one_warehouse_waits_or_refuses_and_fetches_nothing_twice(
    corpus: Corpus, tmp_path: Path, when_busy: str
) -> None:
    db = tmp_path / "lso.duckdb"
    june = {a.path for a in corpus.articles if JUNE[0] <= a.published_at.date() <= JUNE[1]}
    # June's sitemap answers after 6 s: the first run is still discovering, nothing loaded
    # yet, when the second one starts (without the lock, both would fetch every article).
    stalled = "/sitemaps/2017-06.xml"
    with ReplaySite(corpus, faults={stalled: ["slow"]}, slow_seconds=6.0) as site:
        first = _backfill(db, site, when_busy)
        assert first.stdout is not None and first.stdout.readline().strip() == "writing"
        second = _backfill(db, site, when_busy)
        second_out, second_err = second.communicate(timeout=120)
        first_out, first_err = first.communicate(timeout=120)
        fetched = Counter(target for _, target in site.requests if target in june)
    assert first.returncode == 0, first_err
    assert json.loads(first_out)["counts"] == {"loaded": len(june)}
    assert fetched == dict.fromkeys(june, 1)  # every June article, each exactly once
    if when_busy == "refuse":
        assert second.returncode == 3 and second_out == ""
        line = second_err.strip().splitlines()[-1]
        assert line.startswith(f"error: {db} is being written by another run (backfill run,")
        assert f"process {first.pid}," in line and "LSO_WHEN_BUSY=wait" in line
    else:
        assert second.returncode == 0, second_err
        assert f"process {first.pid}," in second_err and "waiting for it to end" in second_err
        assert second_out.splitlines()[0] == "writing"  # only once the first run had ended
        assert json.loads(second_out.splitlines()[1]) == {"chunks_run": 0, "counts": {}}


@pytest.mark.parametrize("command", ["upgrade", "reparse"])
def test_an_upgrade_or_a_reparse_takes_the_writer_lock_as_a_run_does(
    command: str, db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run between two batches holds no DuckDB connection: only its writer lock tells an
    `lso-etl upgrade` that the schema is in use, or a reparse that articles are being loaded
    (a reparse ran to its end beside a held lock)."""
    from lso_etl.cli import main as cli_main

    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path;"
         " from lso_etl.store.writer_lock import writer_lock\n"
         "with writer_lock(Path(sys.argv[1]), 'backfill', 'refuse'):\n"
         "    print('held', flush=True); time.sleep(300)", str(db)],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )  # fmt: skip

    def upgrade() -> tuple[int, str]:
        monkeypatch.setattr(sys, "argv", ["lso-etl", "--db", str(db), command])
        with pytest.raises(SystemExit) as ended:
            cli_main.main()
        out, err = capsys.readouterr()
        return int(ended.value.code or 0), (out + err).strip()

    monkeypatch.setenv("LSO_WHEN_BUSY", "refuse")
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        refused = upgrade()
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    assert refused[0] == 75, refused
    assert f"is being written by another run (backfill run, process {holder.pid}" in refused[1]
    assert f"this {command} run was not started" in refused[1]
    if command == "upgrade":
        assert upgrade() == (0, f"{db} is up to date: nothing to apply")
    else:
        assert upgrade()[0] == 0
