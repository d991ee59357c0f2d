"""Runs stop when told (issue 13): SIGTERM or SIGINT, to the process or its whole group, ends
a backfill within 10 s with exit 130, leaves no process behind, records the run `interrupted`,
and a rerun ends with the warehouse an uninterrupted run makes. Two runs on two warehouses at
once both succeed. Real processes (the installed `lso-etl` program itself) against the
replay site on loopback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

from lso_etl.pipeline.run import backfill as bare_backfill
from lso_etl.replay.model import Corpus
from lso_etl.replay.server import ReplaySite
from lso_etl.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
CLI = Path(sys.executable).with_name("lso-etl")  # the console script uv installed
FIRST, LAST = date(2017, 6, 1), date(2017, 7, 31)  # two chunks, about 140 articles
PACED = {"LSO_MIN_DELAY": "0.05", "PREFECT_LOGGING_LEVEL": "INFO"}  # a batch of 25: ~1.3 s


def _start(db: Path, base_url: str, env: dict[str, str]) -> subprocess.Popen[str]:
    """The installed `lso-etl` program itself: its imports start DuckDB's threads before any
    command runs, and a SIGTERM must not land on one of those."""
    command = [str(CLI), "--db", str(db), "--base-url", base_url, "backfill",
               "--from", FIRST.isoformat(), "--to", LAST.isoformat(), "--chunk-days", "31"]  # fmt: skip
    # A session of its own: its process group is the worker and whatever it starts.
    return subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **env}, start_new_session=True, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def _wait_for_a_loaded_batch(worker: subprocess.Popen[str], timeout: float = 60) -> list[str]:
    """Read the worker's log until its first batch is loaded (the run is then mid-way)."""
    assert worker.stderr is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = worker.stderr.readline()
        if not line:
            break
        lines.append(line)
        if "batch of" in line:
            return lines
    worker.kill()
    pytest.fail("the backfill never loaded a batch:\n" + "".join(lines))


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _articles(db: Path) -> set[tuple[str, str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return set(con.execute("select article_id, content_hash from articles").fetchall())


def _statuses(db: Path) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("select status from runs order by started_at").fetchall()
    return [row[0] for row in rows]


@pytest.fixture(scope="module")
def reference(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> set[tuple[str, str]]:
    """The range's articles as a run never interrupted, without Prefect, loads them: one
    reference for the module (it is the same for every test here)."""
    db = tmp_path_factory.mktemp("reference") / "lso.duckdb"
    with ReplaySite(corpus) as site:
        settings = Settings.from_env(db=db, base_url=site.base_url, min_delay=0.0)
        bare_backfill(settings, FIRST, LAST, 31)
    articles = _articles(db)
    assert len(articles) > 100
    return articles


@pytest.mark.parametrize(
    ("signum", "to_group"),
    [(signal.SIGTERM, False), (signal.SIGTERM, True), (signal.SIGINT, True)],
    ids=["SIGTERM-to-process", "SIGTERM-to-group", "SIGINT-to-group"],
)
def test_a_signal_stops_a_backfill_within_10_s_and_a_rerun_finishes_it_exactly(
    replay: ReplaySite,
    tmp_path: Path,
    reference: set[tuple[str, str]],
    signum: signal.Signals,
    to_group: bool,
) -> None:
    db = tmp_path / "lso.duckdb"
    worker = _start(db, replay.base_url, PACED)
    _wait_for_a_loaded_batch(worker)
    sent = time.monotonic()
    if to_group:
        os.killpg(worker.pid, signum)
    else:
        os.kill(worker.pid, signum)
    try:
        _, err = worker.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        _, err = worker.communicate()  # what it was doing: the flake's only witness
        tail = "".join(err.splitlines(keepends=True)[-30:])
        pytest.fail(f"{signum.name} did not stop the backfill within 10 s; its log ended:\n{tail}")
    stopped_in = time.monotonic() - sent

    assert worker.returncode == 130, err
    assert stopped_in < 10
    assert not _group_alive(worker.pid)  # no helper process (a Prefect server) outlives it
    assert f"interrupted by {signum.name}" in err.splitlines()[-1]
    statuses = _statuses(db)
    assert "interrupted" in statuses and "running" not in statuses, (statuses, err)
    assert "completed" not in statuses[-1:]  # the run did stop mid-way

    rerun = _start(db, replay.base_url, {"LSO_MIN_DELAY": "0"})
    _, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    assert _articles(db) == reference


def test_two_runs_on_two_warehouses_at_once_both_succeed(
    replay: ReplaySite, tmp_path: Path, reference: set[tuple[str, str]]
) -> None:
    workers = [
        _start(tmp_path / name / "lso.duckdb", replay.base_url, {"LSO_MIN_DELAY": "0"})
        for name in ("one", "two")
        if (tmp_path / name).mkdir() is None
    ]
    outputs: list[tuple[str, str]] = [("", "")] * 2

    def collect(index: int) -> None:  # both pipes drained at once: neither worker blocks
        outputs[index] = workers[index].communicate(timeout=120)

    readers = [threading.Thread(target=collect, args=(i,)) for i in range(2)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    for worker, (_, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
        assert "Traceback" not in err
    one, two = (_articles(tmp_path / name / "lso.duckdb") for name in ("one", "two"))
    assert one == two == reference and len(one) > 100
    # Each warehouse keeps its own Prefect database: nothing of one run is in the other's.
    assert (tmp_path / "one" / "lso.duckdb.prefect" / "prefect.db").is_file()
    assert (tmp_path / "two" / "lso.duckdb.prefect" / "prefect.db").is_file()
