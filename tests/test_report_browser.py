"""The report page in a real browser (headless Chromium, network off): it renders every chart,
says nothing in the console, asks nothing of the network, and carries the warehouse's figures.

One warehouse per module: the replay corpus loaded as a backfill, less its newest articles,
which a real daily run (bare, without Prefect) then loads, so that every section has data.
Set REPORT_SCREENSHOT=docs/report.png to also write the README's screenshot.
"""

from __future__ import annotations

import os
import statistics
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from demo_warehouse import load_replay
from report_browser import Loaded, browser, load

from lso_etl.errors import UserError
from lso_etl.pipeline.run import run_window
from lso_etl.replay.corpus import build_corpus
from lso_etl.replay.server import ReplaySite
from lso_etl.settings import Settings
from lso_etl.site.discovery import DISCOVERY
from lso_etl.store.analyst.report import build_report

HELD_BACK = 8  # the newest articles, left for the daily run
SECTIONS = ("coverage", "freshness", "authors", "quality", "runs", "newest")
# Bylines that name the newsroom, not a person (the replay's tokens, as the parser prints them)
NEWSROOM = {"BBT", "PV", "Nhóm PV"}
TRICKY = 'Lạng Sơn </script><b>"đặc biệt"</b> & Đồng Đăng'  # a headline that must stay text


@pytest.fixture(scope="module")
def report_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("report") / "lso.duckdb"
    corpus = build_corpus()
    older, newest = corpus.articles[:-HELD_BACK], corpus.articles[-HELD_BACK:]
    with ReplaySite(corpus) as site:
        site.edit(newest[0].path, headline=TRICKY)
        load_replay(db, site, corpus, [a.path for a in older])
        settings = Settings(db=db, base_url=site.base_url, min_delay=0.0)
        first = newest[0].published_at.date() - timedelta(days=1)
        window = (first, corpus.articles[-1].published_at.date())
        run_window("daily", settings, window, DISCOVERY.daily_strategies, first, {})
    # The site gone: the next daily run fails, and the page must make it stand out.
    with pytest.raises(UserError):
        down = replace(settings, max_attempts=1)
        run_window("daily", down, window, DISCOVERY.daily_strategies, first, {})
    return db


@pytest.fixture(scope="module")
def loaded(report_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    written = build_report(report_db)
    assert written.path == report_db.with_name("report.html")
    with browser() as launched:
        page = load(launched, written.path)
        shots = tmp_path_factory.mktemp("screenshots")
        page.page.screenshot(path=str(shots / "report.png"), full_page=True)
        wanted = os.environ.get("REPORT_SCREENSHOT")
        if wanted:  # the README's picture: the top of the page, its charts
            page.page.screenshot(
                path=wanted, clip={"x": 0, "y": 0, "width": 1100, "height": 2600}, full_page=True
            )
        yield page


def sql(db: Path, query: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        con.execute("set TimeZone = 'Asia/Ho_Chi_Minh'")
        return con.execute(query).fetchall()


def test_every_section_renders_offline_without_errors(loaded: Loaded) -> None:
    assert loaded.requests == [loaded.page.url]  # the file itself, nothing else
    assert loaded.errors() == []
    charts = loaded.charts()
    assert len(charts) >= 10
    for chart in charts:
        assert chart["rendered"] == "yes", chart
        assert chart["marks"] > 5, chart  # axes and marks, not an empty box
    failed = loaded.page.locator("#runs tr.failed td:nth-child(3)").all_inner_texts()
    assert failed == ["failed"]  # shaded in the runs table
    for section in SECTIONS:
        assert loaded.page.locator(f"section#{section} h2").count() == 1
    html = Path(loaded.page.url.removeprefix("file://")).read_text(encoding="utf-8")
    for attribute in ("src=", "href=", "url(", "@import"):  # nothing the page would load
        assert f"{attribute}http" not in html.replace('"', "").replace("'", "")


def test_coverage_and_months_equal_the_warehouse(loaded: Loaded, report_db: Path) -> None:
    data = loaded.embedded()["datasets"]
    per_day = sql(report_db, """
        select strftime(published_at, '%Y-%m-%d'), coalesce(section, '(none)'), count(*)
        from articles group by all""")  # fmt: skip
    assert {(r["day"], r["section"], r["articles"]) for r in data["coverage_daily"]} == set(per_day)
    monthly = sql(report_db, "select strftime(published_at, '%Y-%m'), count(*) from articles"
                             " group by all order by 1")  # fmt: skip
    assert [(r["month"], r["articles"]) for r in data["coverage_monthly"]] == monthly
    days = {day for day, _, _ in per_day}
    first, last = date.fromisoformat(min(days)), date.fromisoformat(max(days))
    every = {str(first + timedelta(days=n)) for n in range((last - first).days + 1)}
    assert {r["day"] for r in data["coverage_empty_days"]} == every - days


def test_authors_keep_the_newsroom_apart(loaded: Loaded, report_db: Path) -> None:
    data = loaded.embedded()["datasets"]
    counts = dict(sql(report_db, "select name, count(distinct article_id) from article_authors"
                                 " group by name"))  # fmt: skip
    people = sorted((c for n, c in counts.items() if n not in NEWSROOM), reverse=True)
    shown = [(a["name"], a["articles"]) for a in data["authors_people"]]
    assert len(shown) == min(20, len(people))
    assert [c for _, c in shown] == people[: len(shown)]  # the most prolific, most first
    assert all(counts[name] == articles for name, articles in shown)
    assert {a["name"] for a in data["authors_institutions"]} == NEWSROOM & set(counts)
    for row in data["authors_monthly"]:
        assert row["name"] in {name for name, _ in shown}


def test_freshness_runs_and_quality_equal_the_warehouse(loaded: Loaded, report_db: Path) -> None:
    data = loaded.embedded()["datasets"]
    lags = [row[0] for row in sql(report_db, """
        select epoch(a.first_seen_at - a.published_at) / 3600 from url_outcomes u
        join runs r using (run_id) join articles a using (article_id)
        where r.flow = 'daily' and u.outcome = 'loaded' and u.detail = 'new'""")]  # fmt: skip
    (daily,) = data["freshness"]
    assert daily["articles"] == len(lags) == HELD_BACK
    assert daily["median_lag_hours"] == pytest.approx(statistics.median(lags), abs=0.01)
    runs = sql(report_db, "select run_id, flow, status, requests from runs order by started_at")
    assert [(r["run_id"], r["flow"], r["status"], r["requests"]) for r in data["runs"]] == runs
    layouts = sql(report_db, """
        select strftime(published_at, '%Y-%m-%d'), layout, count(*) from articles
        group by all""")  # fmt: skip
    assert {(r["day"], r["layout"], r["pages"]) for r in data["quality_layouts"]} == set(layouts)
    reasons = sql(report_db, "select reason, count(*) from quarantine group by all")
    shown: dict[str, int] = {}
    for row in data["quality_quarantine"]:
        shown[row["reason"]] = shown.get(row["reason"], 0) + row["pages"]
    assert shown == dict(reasons)


def test_newest_table_shows_vietnamese_text_and_filters(loaded: Loaded, report_db: Path) -> None:
    expected = [h for (h,) in sql(report_db, "select headline from articles"
                                             " order by published_at desc, article_id")]  # fmt: skip
    cells = loaded.page.locator("#newest tbody tr td:nth-child(3)").all_inner_texts()
    assert cells == expected[: len(cells)]
    assert TRICKY in cells  # markup in a headline is text on the page, not markup
    box = loaded.page.locator("#newest-filter")
    box.fill("dong dang")  # no accents: finds "Đồng Đăng"
    visible = loaded.page.locator("#newest tbody tr:not([hidden]) td:nth-child(3)")
    assert TRICKY in visible.all_inner_texts()
    assert loaded.page.locator("#newest-shown").inner_text() == str(visible.count())
    box.fill("")
    assert visible.count() == len(cells)
