"""The run report as Prefect stores it, read back from the API and checked against the warehouse;
the search refresh at the end of the daily and backfill flows; the daily discovery strategies."""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import duckdb
import pytest

from flows.backfill import backfill
from flows.daily import daily
from lso_etl.crawl.discovery.discover import discover
from lso_etl.crawl.fetch import Fetcher
from lso_etl.pipeline import run as pipeline
from lso_etl.replay.model import Corpus
from lso_etl.replay.server import ReplaySite
from lso_etl.settings import Settings
from lso_etl.site.discovery import DISCOVERY
from lso_etl.store import warehouse
from lso_etl.store.analyst import search

STATUS_LINE = re.compile(
    r"^- status: \*\*(?P<status>\w+)\*\*; (?P<seconds>[\d.]+) s,"
    r" (?P<requests>\d+) requests, (?P<bytes>[\d,]+) bytes$",
    re.MULTILINE,
)
LOADED_LINE = re.compile(r"^- new articles: (?P<new>\d+), updated: (?P<updated>\d+)$", re.MULTILINE)
OUTCOME_ROW = re.compile(r"^\| (?P<outcome>[a-z_]+) \| (?P<n>\d+) \|$", re.MULTILINE)


@pytest.fixture(scope="module")
def site(corpus: Corpus) -> Iterator[ReplaySite]:
    """One replay site for the module: the seeded warehouse's URLs and validators stay valid."""
    with ReplaySite(corpus) as served:
        yield served


@pytest.fixture(scope="module", autouse=True)
def _re_sorts_a_small_warehouse() -> Iterator[None]:
    """These tests check that a run refreshes the search at the right moment; a warehouse of
    this corpus's size is below the size a re-sort waits for (search.SORT_FROM_POSTINGS)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "SORT_FROM_POSTINGS", 0)
        yield


@pytest.fixture(scope="module")
def seeded(
    corpus: Corpus, site: ReplaySite, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, date]:
    """A warehouse (and its archive) backfilled up to three days before the corpus ends, bare:
    no Prefect; the library backfill refreshes the search at its end, as the flow does."""
    folder = tmp_path_factory.mktemp("seeded")
    last_run_day = corpus.last_day - timedelta(days=3)
    pipeline.backfill(_settings(site.base_url, folder / "lso.duckdb"), corpus.first_day,
                      last_run_day, 31)  # fmt: skip
    return folder, last_run_day


def _copy(seeded: tuple[Path, date], tmp_path: Path) -> Path:
    shutil.copytree(seeded[0], tmp_path / "warehouse")
    return tmp_path / "warehouse" / "lso.duckdb"


def _rows(db: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def _settings(base_url: str, db: Path) -> Settings:
    return Settings.from_env(base_url=base_url, db=db, min_delay=0.0)


def _artifacts(**filters: Any) -> list[Any]:
    from prefect.client.orchestration import get_client

    async def read() -> list[Any]:
        async with get_client() as client:
            return await client.read_artifacts(**filters)

    return asyncio.run(read())


def _reports_of(flow_run_ids: list[UUID]) -> list[Any]:
    """The markdown artifacts of these flow runs (a failed run also has a result artifact)."""
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        ArtifactFilterType,
    )

    return _artifacts(
        artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=flow_run_ids),
            type=ArtifactFilterType(any_=["markdown"]),
        )
    )


def _task_runs(flow_run_id: UUID) -> list[Any]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    async def read() -> list[Any]:
        async with get_client() as client:
            return await client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
            )

    return asyncio.run(read())


def _parse_report(markdown: str) -> dict[str, Any]:
    status, loaded = STATUS_LINE.search(markdown), LOADED_LINE.search(markdown)
    assert status and loaded, f"report lacks its status or loaded line:\n{markdown}"
    outcome_table = markdown.split("| outcome | URLs |", 1)[1].split("| layout |", 1)[0]
    return {
        "status": status["status"],
        "seconds": float(status["seconds"]),
        "requests": int(status["requests"]),
        "bytes": int(status["bytes"].replace(",", "")),
        "new": int(loaded["new"]),
        "updated": int(loaded["updated"]),
        "counts": {m["outcome"]: int(m["n"]) for m in OUTCOME_ROW.finditer(outcome_table)},
    }


def _check_report_against_warehouse(db: Path, report: dict[str, Any], run_id: str) -> None:
    """The artifact's numbers are the run's row and its url_outcomes, not just the return value."""
    ((status, counts, requests, bytes_fetched, took),) = _rows(
        db,
        "select status, counts, requests, bytes_fetched,"
        " epoch(finished_at) - epoch(started_at) from runs where run_id = ?",
        (run_id,),
    )
    outcomes = dict(
        _rows(
            db, "select outcome, count(*) from url_outcomes where run_id = ? group by 1", (run_id,)
        )
    )
    loaded = dict(
        _rows(
            db,
            "select detail, count(*) from url_outcomes where run_id = ? and outcome = 'loaded'"
            " group by 1",
            (run_id,),
        )
    )
    assert report["status"] == status
    assert report["counts"] == dict(counts) == outcomes
    assert (report["new"], report["updated"]) == (loaded.get("new", 0), loaded.get("updated", 0))
    assert (report["requests"], report["bytes"]) == (requests, bytes_fetched)
    # The report times the whole run, the row from its start to its close: a little longer.
    assert took - 0.02 <= report["seconds"] <= took + 10


def _search_index(db: Path) -> dict[str, tuple[Any, ...]]:
    rows = _rows(db, "select engine, docs, indexed_through from search_index")
    return {engine: (docs, through) for engine, docs, through in rows}


def _shadows(db: Path) -> tuple[Any, ...]:
    return _rows(db, "select count(*), max(indexed_at) from article_search")[0]


def test_every_daily_strategy_is_served_by_the_replay_site(
    corpus: Corpus, replay: ReplaySite, db: Path
) -> None:
    """Each strategy alone finds the newest article and nothing outside the window."""
    end = corpus.last_day
    start = end - timedelta(days=3)
    recent = {a.article_id for a in corpus.articles if start <= a.published_at.date() <= end}
    newest = max(corpus.articles, key=lambda a: a.published_at).article_id
    found: dict[str, set[str]] = {}
    for strategy in DISCOVERY.daily_strategies:
        with Fetcher(_settings(replay.base_url, db)) as fetcher:
            found[strategy] = {r.article_id for r in discover(fetcher, start, end, (strategy,))}
    assert set(found) == {s.rstrip("?") for s in DISCOVERY.daily_strategies}
    for strategy, ids in found.items():
        assert newest in ids and ids <= recent, (strategy, sorted(ids - recent))
    assert found["sitemap"] == recent


@pytest.mark.usefixtures("prefect_harness")
def test_daily_report_artifact_matches_the_warehouse_and_the_search_is_refreshed(
    corpus: Corpus, site: ReplaySite, seeded: tuple[Path, date], tmp_path: Path
) -> None:
    db, last_run_day = _copy(seeded, tmp_path), seeded[1]
    missed = [a for a in corpus.articles if a.published_at.date() > last_run_day]
    assert missed
    # The seeding backfill refreshed the index at its end: it stops short of what daily adds.
    assert _search_index(db)["builtin"][0] == len(corpus.articles) - len(missed)
    requests_before = len(site.requests)

    state = daily(corpus.last_day, site.base_url, str(db), 0.0, return_state=True)
    assert state.is_completed(), state.message
    summary = state.result()
    flow_run_id = state.state_details.flow_run_id

    (artifact,) = _reports_of([flow_run_id])
    assert (artifact.key, artifact.type) == ("daily-report", "markdown")
    markdown = artifact.data
    assert markdown.startswith(f"# daily {summary['window'][0]} … {corpus.last_day.isoformat()}\n")
    report = _parse_report(markdown)
    _check_report_against_warehouse(db, report, summary["run_id"])
    assert report["status"] == "completed"
    assert report["new"] == report["counts"]["loaded"] == len(missed)
    assert report["updated"] == 0
    assert set(report["counts"]) == {"loaded", "unchanged"}  # the overlap is re-checked
    assert report["requests"] == len(site.requests) - requests_before > len(missed)
    assert report["bytes"] > 0 and report["seconds"] > 0
    # Discovery followed the site profile's daily strategies: feed and home page included.
    asked = {path for _, path in site.requests[requests_before:]}
    assert {"/sitemap.xml", "/rss/home.rss", "/", "/thoi-su?page=1"} <= asked
    assert "| current |" in markdown or "| legacy |" in markdown  # the layout table too
    # The report page the flow rewrote at its end, named in the run report and the result.
    assert f"- report page: {db.with_name('report.html')}\n" in markdown
    assert summary["report"] == str(db.with_name("report.html"))
    assert db.with_name("report.html").stat().st_size > 100_000

    # The refresh ran as its own task, after the last load.
    tasks = _task_runs(flow_run_id)
    refreshes = [t for t in tasks if t.name.startswith("refresh-search")]
    loads = [t for t in tasks if t.name.startswith("load")]
    assert [t.state.type.value for t in refreshes] == ["COMPLETED"] and loads
    assert refreshes[0].start_time >= max(t.end_time for t in loads)
    # Nine new articles are a small unsorted tail after the seeding's sort: nothing to re-sort
    # (search reads the tail as well: the newest article is found below).
    assert summary["search_refresh"]["builtin"] == 0.0
    assert _search_index(db)["builtin"][0] == len(corpus.articles) - len(missed)
    assert _shadows(db)[0] == len(corpus.articles)
    assert set(summary["search_refresh"]) == {"builtin", "seconds"}
    newest = max(missed, key=lambda a: a.published_at)
    with warehouse.connect(db, read_only=True) as con:
        day = newest.published_at.date()
        hits = search.search(con, newest.headline, start=day, end=day).hits
    assert newest.article_id in [h.article_id for h in hits]


@pytest.mark.usefixtures("prefect_harness")
def test_a_backfill_with_a_failed_chunk_reports_both_and_still_refreshes_the_search(
    corpus: Corpus, db: Path, july_sitemap_down: ReplaySite
) -> None:
    start, end = date(2017, 7, 1), date(2017, 8, 31)  # with 31-day chunks: July, then August
    august = [a for a in corpus.articles if date(2017, 8, 1) <= a.published_at.date() <= end]
    site = july_sitemap_down
    state = backfill(start, end, site.base_url, str(db), 0.0, 31, return_state=True)
    assert state.is_failed() and "1 of 2 chunks failed" in (state.message or "")

    # Each chunk (a task of the backfill flow) published its own report, the failed one too.
    parent = state.state_details.flow_run_id
    chunks = [t for t in _task_runs(parent) if t.name.startswith("backfill-chunk")]
    artifacts = _reports_of([parent])
    assert len(chunks) == 2 and {a.task_run_id for a in artifacts} == {c.id for c in chunks}
    assert sorted(a.key for a in artifacts) == ["backfill-chunk-report"] * 2
    reports = [_parse_report(a.data) for a in artifacts]
    runs = dict(_rows(db, "select status, run_id from runs where flow = 'backfill-chunk'"))
    assert sorted(r["status"] for r in reports) == sorted(runs) == ["completed", "failed"]
    for report in reports:
        _check_report_against_warehouse(db, report, runs[report["status"]])
    (done,) = [r for r in reports if r["status"] == "completed"]
    assert done["new"] == done["counts"]["loaded"] == len(august)

    # The parent refreshed the search before raising: August's articles are indexed.
    assert _search_index(db)["builtin"] == _shadows(db)
    assert _shadows(db)[0] == len(august)
