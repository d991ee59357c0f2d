"""Replay and live data never share a warehouse, and a backfill that meets the other origin says
so at once: it used to fail every chunk in turn, each after a 30 s retry, and end on "2 of 2
chunks failed" without the cause."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from prefect.exceptions import FailedRun
from typer.testing import CliRunner

from flows.backfill import backfill
from lso_etl.cli.exits import ExitCode, for_error
from lso_etl.cli.main import app
from lso_etl.pipeline import run
from lso_etl.replay.server import ReplaySite
from lso_etl.settings import Settings
from lso_etl.store import warehouse

pytestmark = pytest.mark.usefixtures("prefect_harness")

LIVE = "https://baolangson.vn"


def _runs(db: Path) -> list[tuple[str, str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select flow, base_url from runs order by started_at").fetchall()


def _a_warehouse_written_by(base_url: str, db: Path) -> None:
    with warehouse.connect(db) as con:
        warehouse.migrate(con)
        warehouse.start_run(con, "daily", {}, base_url, True, "test")


def test_a_live_backfill_into_a_replay_warehouse_is_refused_before_any_chunk(
    replay: ReplaySite, db: Path
) -> None:
    _a_warehouse_written_by(replay.base_url, db)
    before = _runs(db)

    result = CliRunner().invoke(
        app, ["--db", str(db), "--base-url", LIVE, "backfill", "--from", "2017-07-01",
              "--to", "2017-08-31", "--chunk-days", "31"],
    )  # fmt: skip

    assert isinstance(result.exception, warehouse.MixedOrigins)  # main(): "error: ...", exit 2
    assert str(result.exception) == (
        f"this warehouse holds runs against {replay.base_url}, and this run targets {LIVE}:"
        " replay and live data must not mix; pass another --db"
    )
    assert for_error(result.exception) == ExitCode.USAGE  # before Prefect, lock or chunk
    assert _runs(db) == before


def test_the_backfill_flow_as_a_deployment_runs_it_refuses_before_its_first_chunk(
    replay: ReplaySite, db: Path
) -> None:
    """`lso-etl serve` runs the flow without the command's check in front of it."""
    _a_warehouse_written_by(replay.base_url, db)
    before = _runs(db)
    with pytest.raises(FailedRun) as failed:
        backfill(date(2017, 7, 1), date(2017, 8, 31), LIVE, str(db), 0.0, 31)
    assert str(failed.value).endswith("replay and live data must not mix; pass another --db")
    assert _runs(db) == before  # no chunk started, so none failed or waited for a retry


def test_a_replay_backfill_into_a_live_warehouse_is_refused_without_the_flow_engine(
    replay: ReplaySite, db: Path
) -> None:
    _a_warehouse_written_by(LIVE, db)
    settings = Settings(db=db, base_url=replay.base_url, min_delay=0.0)

    with pytest.raises(warehouse.MixedOrigins, match=f"holds runs against {LIVE}"):
        run.backfill(settings, date(2017, 7, 1), date(2017, 8, 31), chunk_days=31)

    assert [base for _, base in _runs(db)] == [LIVE]
    assert replay.count("/robots.txt") == 0  # refused before the site was asked anything


def test_replay_captures_of_the_site_do_not_join_a_warehouse_of_live_runs(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The base URL was all the check read: a Wayback backfill from a replay archive on this
    machine, with the live site's URLs, loaded its synthetic captures beside live runs."""
    _a_warehouse_written_by(LIVE, db)
    before = _runs(db)
    monkeypatch.setenv("LSO_WAYBACK_URL", "http://127.0.0.1:9")
    result = CliRunner().invoke(
        app, ["--db", str(db), "--base-url", LIVE, "backfill", "--from", "2017-07-01",
              "--to", "2017-07-31", "--source", "wayback"],
    )  # fmt: skip
    assert isinstance(result.exception, warehouse.MixedOrigins)
    assert str(result.exception) == (
        f"this warehouse holds runs against {LIVE}, and this run targets {LIVE} through the"
        " archive at http://127.0.0.1:9: replay and live data must not mix; pass another --db"
    )
    assert _runs(db) == before
    # ... and such a run, where it may go, is recorded as the replay it read
    assert warehouse.origin_of(LIVE, ("http://127.0.0.1:9",)) == "replay"
    assert warehouse.origin_of(LIVE, ("https://web.archive.org",)) == "live"


def test_an_archive_run_recorded_before_its_origin_was_is_not_held_against_either(db: Path) -> None:
    """Before migration 0135 a run recorded only its base URL: one that read a web archive may
    have read a replay of it (the demo's archive warehouse did), so it decides nothing."""
    with warehouse.connect(db) as con:
        warehouse.migrate(con)
        warehouse.start_run(con, "backfill-chunk", {"source": "wayback"}, LIVE, True, "test")
        con.execute("update runs set origin = null")  # as recorded before 0135
        warehouse.refuse_mixed_origins(con, "http://127.0.0.1:9")
        warehouse.refuse_mixed_origins(con, LIVE)
        con.execute("""update runs set parameters = '{}'""")  # a site run: its URL decides
        with pytest.raises(warehouse.MixedOrigins):
            warehouse.refuse_mixed_origins(con, "http://127.0.0.1:9")
