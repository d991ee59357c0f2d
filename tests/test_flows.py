"""Real Prefect flow runs (one test server per session) against the replay site and a real DuckDB file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from flows.backfill import backfill
from flows.daily import daily
from lso_etl.cli import app
from lso_etl.replay import Corpus, ReplaySite

pytestmark = pytest.mark.usefixtures("prefect_harness")


def _rows(db: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        con.execute("set TimeZone = 'Asia/Ho_Chi_Minh'")
        return con.execute(sql, list(params)).fetchall()


def _article_requests(site: ReplaySite) -> list[str]:
    return [p for _, p in site.requests if p.endswith(".html")]


def test_backfill_loads_every_article_exactly_as_published(
    corpus: Corpus, replay: ReplaySite, db: Path
) -> None:
    summary = backfill(corpus.first_day, corpus.last_day, replay.base_url, str(db), 0.0)
    assert summary["counts"] == {"loaded": len(corpus.articles)}
    stored = {
        row[0]: row[1:]
        for row in _rows(
            db,
            "select article_id, headline, sapo, dateline, authors, source, section,"
            " published_at, captions, body from articles",
        )
    }
    assert set(stored) == {a.article_id for a in corpus.articles}
    wrong = []
    for a in corpus.articles:
        expected = (a.headline, a.sapo, a.dateline, list(a.authors), a.source, a.section,
                    a.published_at, list(a.captions), "\n\n".join(a.paragraphs))  # fmt: skip
        if stored[a.article_id] != expected:
            wrong.append((a.article_id, stored[a.article_id], expected))
    assert not wrong, f"{len(wrong)} articles differ from the page, first: {wrong[:2]}"


def test_second_backfill_and_daily_change_nothing_and_refetch_no_old_article(
    corpus: Corpus, replay: ReplaySite, db: Path
) -> None:
    backfill(corpus.first_day, corpus.last_day, replay.base_url, str(db), 0.0)
    before = _rows(db, "select * from articles order by article_id")
    fetched_once = len(_article_requests(replay))

    again = backfill(corpus.first_day, corpus.last_day, replay.base_url, str(db), 0.0)
    assert again["counts"] == {"skipped": len(corpus.articles)}
    assert len(_article_requests(replay)) == fetched_once  # nothing fetched twice

    day = daily(None, replay.base_url, str(db), 0.0)
    assert set(day["counts"]) == {"unchanged"}  # only the overlap window is re-checked
    since = date.fromisoformat(day["window"][0])
    recent = [a for a in corpus.articles if a.published_at.date() >= since]
    assert 0 < day["counts"]["unchanged"] == len(recent) < len(corpus.articles)

    after = _rows(db, "select * from articles order by article_id")
    strip = [row[:-3] + row[-2:] for row in before]  # all but last_fetched_at
    assert [row[:-3] + row[-2:] for row in after] == strip
    assert _rows(db, "select count(*), count(distinct article_id) from articles") == [
        (len(corpus.articles), len(corpus.articles))
    ]
    assert _rows(db, "select flow, status from runs order by started_at") == [
        ("backfill", "completed"),
        ("backfill", "completed"),
        ("daily", "completed"),
    ]


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


def test_demo_command_loads_the_whole_corpus_and_is_repeatable(corpus: Corpus, db: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["--db", str(db), "demo"])
    assert first.exit_code == 0, first.output
    assert f"{len(corpus.articles)} articles in the warehouse" in first.output
    assert "Newest five" in first.output
    newest = max(corpus.articles, key=lambda a: a.published_at)
    assert newest.published_at.strftime("%Y-%m-%d %H:%M") in first.output

    second = runner.invoke(app, ["--db", str(db), "demo"])
    assert second.exit_code == 0, second.output
    assert _rows(db, "select count(*), count(distinct article_id) from articles") == [
        (len(corpus.articles), len(corpus.articles))
    ]

    counted = runner.invoke(app, ["--db", str(db), "sql", "select count(*) as n from articles"])
    assert counted.exit_code == 0 and str(len(corpus.articles)) in counted.output
