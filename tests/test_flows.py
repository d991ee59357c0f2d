"""Real Prefect flow runs (one test server per session) against the replay site and a real DuckDB file."""

from __future__ import annotations

import io
import logging
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

import duckdb
import pytest
from prefect.exceptions import FailedRun
from typer.testing import CliRunner

from flows.backfill import backfill
from flows.daily import daily
from lso_etl.cli.exits import ExitCode, RunFailed, for_error
from lso_etl.cli.main import app
from lso_etl.crawl.archives.pacing import CDX_INTERVAL, Pacing
from lso_etl.crawl.clock import VirtualClock
from lso_etl.pipeline import sources
from lso_etl.replay.model import Corpus
from lso_etl.replay.server import ReplaySite
from lso_etl.settings import Settings

pytestmark = pytest.mark.usefixtures("prefect_harness")


def _rows(db: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        con.execute("set TimeZone = 'Asia/Ho_Chi_Minh'")
        return con.execute(sql, list(params)).fetchall()


@dataclass(frozen=True)
class Backfilled:
    site: ReplaySite
    db: Path
    summary: dict[str, Any]


@pytest.fixture(scope="module")
def backfilled(
    corpus: Corpus, prefect_harness: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backfilled]:
    """The whole corpus backfilled once for the module (read it; copy its folder to change
    it), from a replay site that serves the module's tests after it."""
    db = tmp_path_factory.mktemp("backfilled") / "lso.duckdb"
    with ReplaySite(corpus) as site:
        summary = backfill(corpus.first_day, corpus.last_day, site.base_url, str(db), 0.0)
        yield Backfilled(site, db, summary)


def test_backfill_loads_every_article_exactly_as_published(
    corpus: Corpus, backfilled: Backfilled
) -> None:
    summary, db = backfilled.summary, backfilled.db
    assert summary["counts"] == {"loaded": len(corpus.articles)}
    assert summary["report"] == str(db.with_name("report.html"))  # rewritten at the end
    stored = {
        row[0]: row[1:]
        for row in _rows(
            db,
            "select article_id, headline, sapo, dateline, authors, source, section,"
            " published_at, captions, body, subsection, tags, modified_at from articles",
        )
    }
    assert set(stored) == {a.article_id for a in corpus.articles}
    wrong = []
    for a in corpus.articles:
        expected = (a.headline, a.sapo, a.dateline, list(a.authors), a.source, a.section,
                    a.published_at, list(a.captions), "\n\n".join(a.paragraphs),
                    a.subsection, list(a.tags), a.modified_at)  # fmt: skip
        if stored[a.article_id] != expected:
            wrong.append((a.article_id, stored[a.article_id], expected))
    assert not wrong, f"{len(wrong)} articles differ from the page, first: {wrong[:2]}"


def test_second_backfill_and_daily_change_nothing_and_refetch_no_old_article(
    corpus: Corpus, backfilled: Backfilled, tmp_path: Path
) -> None:
    replay = backfilled.site  # the site the first backfill read, with its request log
    shutil.copytree(backfilled.db.parent, tmp_path / "copy")
    db = tmp_path / "copy" / backfilled.db.name
    every_but_fetched = "select * exclude (last_fetched_at) from articles order by article_id"
    before = _rows(db, every_but_fetched)

    requests_before = len(replay.requests)
    again = backfill(corpus.first_day, corpus.last_day, replay.base_url, str(db), 0.0)
    assert again["chunks_run"] == 0 and again["counts"] == {}  # every chunk finished already
    assert len(replay.requests) == requests_before  # not one request, let alone a refetch

    day = daily(None, replay.base_url, str(db), 0.0)
    assert set(day["counts"]) == {"unchanged"}  # only the overlap window is re-checked
    since = date.fromisoformat(day["window"][0])
    recent = [a for a in corpus.articles if a.published_at.date() >= since]
    assert 0 < day["counts"]["unchanged"] == len(recent) < len(corpus.articles)

    assert _rows(db, every_but_fetched) == before
    assert _rows(db, "select count(*), count(distinct article_id) from articles") == [
        (len(corpus.articles), len(corpus.articles))
    ]
    assert _rows(db, "select flow, status, count(*) from runs group by all order by 1") == [
        ("backfill-chunk", "completed", summary_chunks(corpus)),
        ("daily", "completed", 1),
    ]


def summary_chunks(corpus: Corpus) -> int:
    return -(-((corpus.last_day - corpus.first_day).days + 1) // Settings().chunk_days)


def test_a_failed_chunk_does_not_sink_the_others_and_a_rerun_finishes_it(
    corpus: Corpus, db: Path, july_sitemap_down: ReplaySite
) -> None:
    start, end = date(2017, 7, 1), date(2017, 8, 31)  # with 31-day chunks: July, then August
    july = [a for a in corpus.articles if start <= a.published_at.date() <= date(2017, 7, 31)]
    in_range = [a for a in corpus.articles if start <= a.published_at.date() <= end]
    # July's sitemap answers 503 to all four attempts of the first run: July cannot finish.
    site = july_sitemap_down
    with pytest.raises(FailedRun, match="1 of 2 chunks failed"):
        backfill(start, end, site.base_url, str(db), 0.0, 31)
    stored = _rows(db, "select count(*) from articles")[0][0]
    assert stored == len(in_range) - len(july)  # August loaded despite July failing
    rerun = backfill(start, end, site.base_url, str(db), 0.0, 31)  # the faults are used up
    assert rerun["counts"] == {"loaded": len(july)}
    assert (rerun["chunks"], rerun["chunks_run"]) == (2, 1)  # August, finished, was skipped
    assert _rows(db, "select count(*) from articles") == [(len(in_range),)]


def test_a_failed_chunk_logs_its_reason_without_a_stray_nonetype_line(
    db: Path, july_sitemap_down: ReplaySite
) -> None:
    """Prefect logs a task that returned a Failed state with `exc_info=True` outside any
    `except`: formatted, that printed "NoneType: None" under the chunk's error line."""
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    task_logger = logging.getLogger("prefect.task_runs")
    task_logger.addHandler(handler)
    try:
        with pytest.raises(FailedRun, match="1 of 1 chunks failed"):
            backfill(date(2017, 7, 1), date(2017, 7, 31), july_sitemap_down.base_url, str(db), 0.0)
    finally:
        task_logger.removeHandler(handler)
    log = written.getvalue()
    assert "Task run failed with state: Failed(message='discovery incomplete" in log  # the line
    assert "NoneType: None" not in log and "Traceback" not in log


def test_backfill_of_an_unreachable_site_fails_in_one_line_and_leaves_the_chunk_to_rerun(
    db: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The site is down: robots.txt cannot be read, so nothing is crawled (RFC 9309), the chunk
    fails rather than counting as finished, the later chunks are not run (each would meet the
    same dead site), and the user gets one line naming the cause, not a traceback."""
    with socket.socket() as probe:  # a port nothing listens on: connection refused
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    monkeypatch.setenv("LSO_MAX_ATTEMPTS", "1")
    monkeypatch.setenv("LSO_CHUNK_RETRIES", "0")
    result = CliRunner().invoke(
        app, ["--db", str(db), "--base-url", dead, "backfill", "--from", "2017-07-01",
              "--to", "2017-07-06", "--chunk-days", "2", "--quiet"],
    )  # fmt: skip
    assert isinstance(result.exception, RunFailed)  # main() prints "error: ..." (exit 6)
    assert str(result.exception) == (
        f"{dead.removeprefix('http://')} unreachable: connection refused; nothing was recorded"
        " as finished; rerun later (the backfill stopped at chunk 2017-07-01..2017-07-02;"
        " 2 later chunk(s) not run)"
    )
    assert for_error(result.exception) == ExitCode.UNREACHABLE
    assert not [r for r in caplog.records if r.exc_info and r.exc_info[0] is not None]
    reasons = _rows(db, "select status, counts from runs where flow = 'backfill-chunk'")
    assert reasons == [("failed", {})]


def test_an_article_disallowed_by_robots_is_an_outcome_and_never_requested(
    corpus: Corpus, db: Path
) -> None:
    banned = corpus.articles[5]
    with ReplaySite(corpus, extra_disallow=(banned.path,)) as site:
        summary = backfill(corpus.first_day, corpus.last_day, site.base_url, str(db), 0.0)
        assert site.count(banned.path) == 0
    assert summary["counts"] == {"loaded": len(corpus.articles) - 1, "robots_disallowed": 1}
    outcomes = _rows(
        db, "select outcome from url_outcomes where article_id = ?", (banned.article_id,)
    )
    assert outcomes == [("robots_disallowed",)]


def test_demo_command_loads_the_whole_corpus_and_is_repeatable(
    corpus: Corpus, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The demo's archive step paces its CDX calls 1.5 s apart: on a virtual clock it decides
    # every wait as it would, without spending ~9 s of the suite on them (checked below).
    clock, paced, real_pacing = VirtualClock(), [], sources.archive_pacing

    def on_virtual_clock(settings: Settings, *_: object) -> Pacing:
        paced.append(real_pacing(settings, clock, clock.sleep))
        return paced[-1]

    monkeypatch.setattr(sources, "archive_pacing", on_virtual_clock)
    runner = CliRunner()
    first = runner.invoke(app, ["--db", str(db), "demo"])
    assert first.exit_code == 0, first.output
    assert f"{len(corpus.articles)} articles in the warehouse" in first.output
    assert "Newest five" in first.output
    newest = max(corpus.articles, key=lambda a: a.published_at)
    assert newest.published_at.strftime("%Y-%m-%d %H:%M") in first.output
    assert str(db.with_name("report.html")) in first.output  # the demo ends with its page
    cdx = [d.at for pacing in paced for d in pacing.decisions if d.lane == "cdx"]
    assert len(cdx) > 1 and all(b - a >= CDX_INTERVAL for a, b in pairwise(cdx))

    second = runner.invoke(app, ["--db", str(db), "demo"])
    assert second.exit_code == 0, second.output
    assert _rows(db, "select count(*), count(distinct article_id) from articles") == [
        (len(corpus.articles), len(corpus.articles))
    ]

    counted = runner.invoke(app, ["--db", str(db), "sql", "select count(*) as n from articles"])
    assert counted.exit_code == 0 and str(len(corpus.articles)) in counted.output


def test_daily_catches_up_after_missed_days_and_a_second_trigger_is_a_no_op(
    corpus: Corpus, replay: ReplaySite, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import timedelta

    last_run_day = corpus.last_day - timedelta(days=3)  # then three daily runs were missed
    backfill(corpus.first_day, last_run_day, replay.base_url, str(db), 0.0, 31)
    missed = [a for a in corpus.articles if a.published_at.date() > last_run_day]
    assert missed

    # LSO_SOURCE is for backfills: the scheduled run still reads the site (this "archive"
    # is a closed port, which a run that asked it would fail on).
    monkeypatch.setenv("LSO_SOURCE", "wayback")
    monkeypatch.setenv("LSO_WAYBACK_URL", "http://127.0.0.1:9")
    caught_up = daily(corpus.last_day, replay.base_url, str(db), 0.0)
    assert caught_up["counts"]["loaded"] == len(missed)
    assert _rows(db, "select distinct fetched_from from articles") == [("site",)]
    assert caught_up["report"] == str(db.with_name("report.html"))  # rewritten by the run
    assert set(caught_up["counts"]) <= {"loaded", "unchanged"}
    assert _rows(db, "select count(*) from articles") == [(len(corpus.articles),)]

    before = _rows(db, "select article_id, content_hash, version from articles order by 1")
    again = daily(corpus.last_day, replay.base_url, str(db), 0.0)
    assert set(again["counts"]) == {"unchanged"} and again["new"] == again["updated"] == 0
    assert _rows(db, "select article_id, content_hash, version from articles order by 1") == before


def test_a_redesigned_site_fails_the_run_with_the_layout_drift_message(
    corpus: Corpus, replay: ReplaySite, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Simulate a redesign by a profile that knows no layout: every page falls back."""
    from dataclasses import replace
    from functools import partial

    from flows.backfill import backfill_chunk
    from lso_etl.extract.parse import parse_page
    from lso_etl.pipeline import steps as crawl
    from lso_etl.pipeline.report import DRIFT_MESSAGE
    from lso_etl.site.profile import PROFILE

    monkeypatch.setattr(
        crawl, "parse_page", partial(parse_page, profile=replace(PROFILE, layouts=()))
    )
    state = backfill_chunk(
        date(2017, 7, 1), date(2017, 7, 31), replay.base_url, str(db), 0.0, return_state=True
    )
    assert state.is_failed()
    assert DRIFT_MESSAGE in (state.message or "")
    layouts = _rows(db, "select distinct layout from articles")
    assert layouts in ([("fallback",)], [])  # what was read is kept, marked as fallback


def test_layout_drift_fails_the_daily_run_in_one_line_after_loading_and_searching_its_pages(
    corpus: Corpus,
    replay: ReplaySite,
    db: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Drift is the operator's to fix (the site profile): the run fails with the message alone,
    after what it loaded has been made searchable."""
    from dataclasses import replace
    from functools import partial

    from lso_etl.extract.parse import parse_page
    from lso_etl.pipeline import steps as crawl
    from lso_etl.pipeline.report import DRIFT_MESSAGE
    from lso_etl.site.profile import PROFILE

    monkeypatch.setattr(
        crawl, "parse_page", partial(parse_page, profile=replace(PROFILE, layouts=()))
    )
    monkeypatch.setenv("LSO_OVERLAP_DAYS", "10")  # enough pages to judge (MIN_PAGES_FOR_DRIFT)
    with pytest.raises(FailedRun, match=DRIFT_MESSAGE):
        daily(corpus.last_day, replay.base_url, str(db), 0.0)
    assert not [r for r in caplog.records if r.exc_info and r.exc_info[0] is not None]
    # The run itself did its work (its row says so); the flow fails on the drift judgement.
    assert _rows(db, "select flow, status from runs") == [("daily", "completed")]
    assert db.with_name("report.html").exists()  # a failed run rewrites the page as well
    loaded = _rows(db, "select count(*) from articles")[0][0]
    searchable = _rows(db, "select count(*) from article_search")[0][0]
    assert loaded > 0 and searchable == loaded
