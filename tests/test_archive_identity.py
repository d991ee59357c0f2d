"""Each raw archive belongs to one warehouse (issue 14): two warehouses in one folder never load
each other's archived pages, an archive of an earlier version keeps reparsing after the upgrade,
and the demo fills a warehouse of its own. Real replay server, real WARC files, real DuckDB."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
import typer
from typer.testing import CliRunner

from lso_etl.cli.commands.demo import DEMO_DB, db_given, demo_settings, next_command
from lso_etl.cli.main import app, main
from lso_etl.crawl.archive import RunArchive, scan
from lso_etl.crawl.transfer import Exchange
from lso_etl.crawl.warcinfo import read_warcinfo
from lso_etl.models import RunCounts
from lso_etl.pipeline import run as pipeline_run
from lso_etl.pipeline.run import run_window
from lso_etl.replay.model import Corpus
from lso_etl.replay.server import ReplaySite
from lso_etl.settings import Settings
from lso_etl.store import warehouse
from lso_etl.store.crawl_state import archive_index
from lso_etl.store.crawl_state.archive_identity import WARCINFO_FIELD, warehouse_id

FIRST_WEEKS = (date(2017, 6, 1), date(2017, 6, 14))
LATER_WEEKS = (date(2017, 6, 15), date(2017, 6, 28))
OFFLINE = "http://127.0.0.1:9"  # the discard port: nothing listens, every request is refused


def _settings(base_url: str, db: Path, raw_dir: Path | None = None) -> Settings:
    return Settings.from_env(
        {}, base_url=base_url, db=db, min_delay=0.0, backoff=0.01, max_attempts=1,
        raw_dir=str(raw_dir) if raw_dir else None,
    )  # fmt: skip


def _crawl(site: ReplaySite, db: Path, window: tuple[date, date], raw: Path | None = None) -> None:
    run_window("backfill-chunk", _settings(site.base_url, db, raw), window, ("sitemap",), None, {})


def _rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def _in(corpus: Corpus, window: tuple[date, date]) -> int:
    return sum(window[0] <= a.published_at.date() <= window[1] for a in corpus.articles)


def _daily_offline(db: Path, raw: Path | None = None) -> None:
    """The issue's `lso-etl --db … daily` with no network: it opens a run (which indexes the
    archive), then fails because the site cannot be reached."""
    with pytest.raises(Exception, match="unreachable"):
        run_window("daily", _settings(OFFLINE, db, raw), FIRST_WEEKS, ("sitemap",), None, {})


def _reparse(db: Path, raw: Path | None = None) -> dict[str, Any]:
    env = {"LSO_RAW_DIR": str(raw) if raw else ""}
    result = CliRunner().invoke(app, ["--db", str(db), "reparse", "--json"], env=env)
    assert result.exit_code == 0 and result.exception is None, result.output
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


def test_two_warehouses_in_one_folder_keep_their_archives_apart(
    corpus: Corpus, tmp_path: Path
) -> None:
    """The issue's case with the default settings: each database file gets its own folder."""
    replay, live = tmp_path / "replay.duckdb", tmp_path / "live.duckdb"
    with ReplaySite(corpus) as site:
        _crawl(site, replay, FIRST_WEEKS)
    (warc,) = (tmp_path / "replay.raw").glob("*.warc.gz")
    _daily_offline(live)
    summary = _reparse(live)
    assert summary["pages"] == 0 and summary["foreign_files"] == []
    assert _rows(live, "select count(*) from articles") == [(0,)]
    assert _rows(live, "select count(*) from archive_records") == [(0,)]
    assert not (tmp_path / "raw").exists() and not list(tmp_path.glob("live.raw/*.warc.gz"))
    assert _reparse(replay)["counts"] == {"unchanged": _in(corpus, FIRST_WEEKS)}
    assert warc.exists()


def test_a_shared_archive_folder_loads_nothing_of_the_other_warehouse_and_says_so(
    corpus: Corpus, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Both on one LSO_RAW_DIR (as both were on raw/ before): the second warehouse's daily run
    and reparse refuse the first one's file, by the warehouse id in its warcinfo, loudly."""
    shared, replay, live = tmp_path / "raw", tmp_path / "replay.duckdb", tmp_path / "live.duckdb"
    with ReplaySite(corpus) as site:
        _crawl(site, replay, FIRST_WEEKS, shared)
    (warc,) = shared.glob("*.warc.gz")
    before = warc.read_bytes()
    caplog.set_level(logging.WARNING)
    _daily_offline(live, shared)
    summary = _reparse(live, shared)
    assert summary["pages"] == 0 and summary["foreign_files"] == [warc.name]
    assert _rows(live, "select count(*) from articles") == [(0,)]
    assert _rows(live, "select count(*) from archive_records") == [(0,)]
    ((replay_id,),) = _rows(replay, "select warehouse_id from warehouse_identity")
    refusals = [w for w in _warnings(caplog) if warc.name in w]
    assert len(refusals) == 2  # one line per run: the daily run's and the reparse's
    assert all(f"written by warehouse {replay_id}" in w for w in refusals)
    assert all("neither indexed nor reparsed" in w for w in refusals)
    plain = CliRunner().invoke(
        app, ["--db", str(live), "reparse"], env={"LSO_RAW_DIR": str(shared)}
    )
    assert "1 WARC files of another warehouse refused (see the log)" in plain.stdout
    assert warc.read_bytes() == before  # the owner's file is untouched, and still reparses
    assert _reparse(replay, shared)["counts"] == {"unchanged": _in(corpus, FIRST_WEEKS)}


def _old_version_warcinfo(monkeypatch: pytest.MonkeyPatch) -> None:
    """WARC files as versions before issue 14 wrote them: a warcinfo without a warehouse id."""
    current = pipeline_run.warcinfo

    def without_id(*args: Any) -> dict[str, str]:
        info = current(*args)
        del info[WARCINFO_FIELD]
        return info

    monkeypatch.setattr(pipeline_run, "warcinfo", without_id)


def test_an_archive_in_the_old_shared_raw_folder_keeps_reparsing_after_the_upgrade(
    corpus: Corpus,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Before the upgrade two warehouses wrote old-style files into raw/, and the lso warehouse
    had already indexed the other's file (the issue's bug). After it: lso adopts its own file
    into lso.raw/ (one log line), reparses all its own pages, loads none of the other's, and
    the other's file stays where it was for its owner."""
    raw, lso, other = tmp_path / "raw", tmp_path / "lso.duckdb", tmp_path / "other.duckdb"
    with ReplaySite(corpus) as site, monkeypatch.context() as old:
        _old_version_warcinfo(old)
        _crawl(site, lso, LATER_WEEKS, raw)
        (own,) = raw.glob("*.warc.gz")
        _crawl(site, other, FIRST_WEEKS, raw)
    (foreign,) = set(raw.glob("*.warc.gz")) - {own}
    with warehouse.connect(lso) as con:  # what the old recovery did with the other's file
        archive_index.insert(con, list(scan(raw, foreign.name, 0)))
    articles = _rows(lso, "select article_id, content_hash from articles order by 1")
    caplog.set_level(logging.WARNING)
    summary = _reparse(lso)  # upgraded: LSO_RAW_DIR unset, the default is lso.raw/
    assert summary["counts"] == {"unchanged": _in(corpus, LATER_WEEKS)} and summary["damaged"] == 0
    assert summary["foreign_files"] == [foreign.name]
    assert _rows(lso, "select article_id, content_hash from articles order by 1") == articles
    assert [p.name for p in (tmp_path / "lso.raw").iterdir()] == [own.name]
    assert list(raw.iterdir()) == [foreign]  # the other warehouse's file, untouched
    moved = [w for w in _warnings(caplog) if w.startswith("moved 1 WARC files")]
    assert len(moved) == 1 and str(raw) in moved[0] and str(tmp_path / "lso.raw") in moved[0]
    assert any(
        foreign.name in w and "is not in this warehouse's runs" in w for w in caplog.messages
    )
    # The other warehouse, upgraded in turn, adopts its own file and reparses it.
    assert _reparse(other)["counts"] == {"unchanged": _in(corpus, FIRST_WEEKS)}
    assert not list(raw.glob("*.warc.gz")) and (tmp_path / "other.raw" / foreign.name).exists()


def test_warcinfo_names_the_warehouse_and_its_run(corpus: Corpus, tmp_path: Path) -> None:
    db = tmp_path / "lso.duckdb"
    with ReplaySite(corpus) as site:
        _crawl(site, db, FIRST_WEEKS)
    (warc,) = (tmp_path / "lso.raw").glob("*.warc.gz")
    info = read_warcinfo(warc)
    ((warehouse_id, run_id),) = _rows(
        db, "select warehouse_id, run_id from warehouse_identity, runs"
    )
    assert (
        info[WARCINFO_FIELD] == warehouse_id and info["isPartOf"] == f"backfill-chunk run {run_id}"
    )
    assert info["lso-warehouse-file"] == "lso.duckdb"


def test_every_warehouse_has_its_own_id_and_keeps_it(tmp_path: Path) -> None:
    ids = []
    for name in ("a.duckdb", "b.duckdb", "a.duckdb"):
        with warehouse.connect(tmp_path / name) as con:
            warehouse.migrate(con)
            ids.append(con.execute("select warehouse_id from warehouse_identity").fetchall())
    assert ids[0] == ids[2] and ids[0] != ids[1] and len(ids[0]) == 1


@pytest.mark.parametrize(
    ("db", "expected"),
    [
        ("warehouse/lso.duckdb", "warehouse/lso.raw"),
        ("live.duckdb", "live.raw"),
        ("data/live", "data/live.raw"),
        ("odd.raw", "odd.raw.raw"),  # never the database file itself
    ],
)
def test_the_archive_folder_is_named_after_the_database_file(db: str, expected: str) -> None:
    assert Settings(db=Path(db)).archive_dir == Path(expected)
    assert Settings(db=Path(db), raw_dir="/srv/warc").archive_dir == Path("/srv/warc")
    assert Settings(db=Path(db), raw_dir="/srv/warc").legacy_archive_dir is None


def _demo_settings_for(args: list[str], env: dict[str, str] | None = None) -> Settings:
    """What `lso-etl <args> demo` would use: the real command line parsed, as in a run."""
    command = typer.main.get_command(app)
    with command.make_context("lso-etl", [*args, "demo"]) as context:
        settings = Settings.from_env(env or {}, db=context.params["db"])
        return demo_settings(settings, db_given(context))


def test_the_demo_uses_its_own_warehouse_unless_one_is_chosen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LSO_DB", raising=False)
    default = _demo_settings_for([])
    assert default.db == DEMO_DB == Path("warehouse/demo.duckdb")
    assert default.archive_dir == Path("warehouse/demo.raw")
    assert _demo_settings_for(["--db", "mine.duckdb"]).db == Path("mine.duckdb")
    monkeypatch.setenv("LSO_DB", "env.duckdb")
    assert _demo_settings_for([]).db == Path("env.duckdb")
    assert _demo_settings_for(["--db", "warehouse/lso.duckdb"]).db == Path("warehouse/lso.duckdb")
    # Called without the command line (as cli/main.py does today): the default file is not chosen.
    assert demo_settings(Settings()).db == DEMO_DB
    assert demo_settings(Settings(db=Path("x.duckdb"))).db == Path("x.duckdb")
    assert next_command(Path("my dir/demo.duckdb")).startswith(
        "uv run lso-etl --db 'my dir/demo.duckdb' sql "
    )


def test_a_missing_warehouse_points_at_the_demo_s_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """After the demo the default warehouse does not exist: the one line says where it went."""
    monkeypatch.setattr(sys, "argv", ["lso-etl", "--db", str(tmp_path / "lso.duckdb"), "stats"])
    with pytest.raises(SystemExit) as ended:
        main()
    err = capsys.readouterr().err
    assert ended.value.code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert "pass --db warehouse/demo.duckdb to look at it" in err
    assert not (tmp_path / "lso.duckdb").exists()


def test_a_fifo_a_device_link_and_a_link_loop_in_the_archive_folder_are_skipped_in_one_line_each(
    tmp_path: Path,
) -> None:
    """`lso-etl reparse` used to wait forever on a FIFO or /dev/zero named *.warc.gz and die
    with a traceback on a link loop; an indexed file swapped for a FIFO hung the reparse too.
    The real command, in a process of its own that a hang would time out."""
    db, root = tmp_path / "lso.duckdb", tmp_path / "lso.raw"
    with warehouse.connect(db) as con:
        warehouse.migrate(con)
        run_id = warehouse.start_run(con, "daily", {}, OFFLINE, True, "test")
        archive = RunArchive(root, run_id, {WARCINFO_FIELD: warehouse_id(con)})
        for n in range(2):
            url = f"{OFFLINE}/bai-{5000001 + n}.html"
            archive.response(url, Exchange(url, (), 200, "OK", (), b"<p>x</p>",
                                           datetime.now(UTC), 0.01))  # fmt: skip
        archive.close()
        archive_index.insert(con, archive.drain())
        warehouse.finish_run(con, run_id, "completed", RunCounts(), 0, 0)
    archive.path.unlink()
    os.mkfifo(archive.path)  # indexed, then swapped for a FIFO
    os.mkfifo(root / "fifo.warc.gz")
    (root / "zero.warc.gz").symlink_to("/dev/zero")
    (root / "loop.warc.gz").symlink_to(root / "loop.warc.gz")
    command = "from lso_etl.cli.main import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", command, "--db", str(db), "reparse", "--json"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) | {"run_id": ""} == {
        "run_id": "", "pages": 0, "counts": {}, "damaged": 2, "foreign_files": [],
    }  # fmt: skip
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert "Traceback" not in done.stderr
    said = {name: [line for line in lines if name in line] for name in
            (archive.name, "fifo.warc.gz", "zero.warc.gz", "loop.warc.gz")}  # fmt: skip
    assert [len(found) for found in said.values()] == [2, 1, 1, 1], lines
    assert "not a regular file (mode prw" in said["fifo.warc.gz"][0]
    assert "not a regular file (mode crw" in said["zero.warc.gz"][0]
    assert "Too many levels of symbolic links" in said["loop.warc.gz"][0]
    indexing, reparsing = said[archive.name]  # the folder's scan, then its pages: once each
    assert "not a regular file (mode prw" in indexing
    assert "reparse skips 2 archived pages" in reparsing and "a FIFO, not a regular" in reparsing
