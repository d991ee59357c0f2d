"""A backfill discovers its whole range once (issue 13): a decade of monthly chunks over a
handful of articles costs about a request per article, robots.txt read once, not per chunk."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import duckdb
import pytest

from lso_etl.pipeline.run import backfill, run_window
from lso_etl.replay.model import Corpus
from lso_etl.replay.server import ReplaySite
from lso_etl.settings import Settings


def _few(corpus: Corpus) -> Corpus:
    """Eight articles spread over the corpus's five months, both layouts among them; none links
    to an article left out (the replay would not find it)."""
    spread = [a for a in corpus.articles[::25] if not a.style.related_inline]
    return Corpus(tuple(spread[:8]), corpus.sections)


def _settings(base_url: str, db: Path) -> Settings:
    return Settings.from_env({}, base_url=base_url, db=db, min_delay=0.0, backoff=0.01)


def test_a_decade_backfill_of_a_few_articles_reads_robots_and_sitemaps_once(
    corpus: Corpus, tmp_path: Path
) -> None:
    few = _few(corpus)
    with ReplaySite(few) as site:
        settings = _settings(site.base_url, tmp_path / "lso.duckdb")
        result = backfill(settings, date(2015, 1, 1), date(2025, 12, 31), chunk_days=31)
        requests = [target for _, target in site.requests]
    counts = Counter(requests)
    articles = {a.path for a in few.articles}
    assert result["chunks_failed"] == [] and result["counts"]["loaded"] == len(articles)
    assert result["chunks_run"] > 120  # a decade of monthly chunks, each its own run
    assert counts["/robots.txt"] == 1 and counts["/sitemap.xml"] == 1
    assert {p for p in requests if p in articles} == articles
    assert all(counts[p] == 1 for p in articles)  # each article fetched once
    fixed = len(requests) - len(articles)  # robots.txt, the index, one sitemap per month
    assert fixed <= 2 + len({a.published_at.strftime("%Y-%m") for a in few.articles})
    assert len(requests) <= 2 * len(articles) + 5  # the bound
    with duckdb.connect(str(settings.db), read_only=True) as con:
        stored = con.execute("select count(*) from articles").fetchone()
    assert stored == (len(articles),)


def test_a_month_whose_sitemap_fails_leaves_only_its_chunk_unfinished(
    corpus: Corpus, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The range's discovery is incomplete: each chunk then discovers its own window, so the
    other months still load and only the chunks touching August stay to rerun; the failed
    sitemap is asked once per backfill, not once per chunk that needs it."""
    faults: dict[str, list[int | str]] = {"/sitemaps/2017-08.xml": [403]}
    with ReplaySite(corpus, faults=faults) as site:
        settings = _settings(site.base_url, tmp_path / "lso.duckdb")
        first = backfill(settings, corpus.first_day, corpus.last_day, chunk_days=31)
        failed = [
            tuple(date.fromisoformat(d) for d in w.split("..")) for w in first["chunks_failed"]
        ]
        assert failed and all(a <= date(2017, 8, 31) and b >= date(2017, 8, 1) for a, b in failed)
        outside = [
            a for a in corpus.articles
            if not any(lo <= a.published_at.date() <= hi for lo, hi in failed)
        ]  # fmt: skip
        assert first["counts"]["loaded"] == len(outside)  # every other chunk loaded whole
        asked = site.count("/sitemaps/2017-08.xml")
        second = backfill(settings, corpus.first_day, corpus.last_day, chunk_days=31)
    assert asked == 1  # the chunks that needed it after it failed did not ask again
    said = [r.getMessage() for r in caplog.records if "earlier in this backfill" in r.getMessage()]
    assert said and all(m.count("earlier in this backfill") == 1 for m in said)
    assert second["chunks_failed"] == []
    with duckdb.connect(str(settings.db), read_only=True) as con:
        stored = con.execute("select count(*) from articles").fetchone()
    assert stored == (len(corpus.articles),)


def test_robots_txt_is_kept_across_runs_for_24_hours_then_asked_for_conditionally(
    corpus: Corpus, tmp_path: Path
) -> None:
    """RFC 9309, 2.4: a robots.txt read less than 24 hours ago needs no request; an older one
    is asked for with its validators, and a 304 renews it without a body."""
    db = tmp_path / "lso.duckdb"
    few = _few(corpus)
    day = few.articles[0].published_at.date()
    with ReplaySite(few) as site:
        settings = _settings(site.base_url, db)

        def robots_requests_of_a_run() -> list[tuple[str, int]]:
            before = len(site.requests)
            run_window("backfill-chunk", settings, (day, day), ("sitemap",), None, {})
            asked = [t for _, t in site.requests[before:] if t == "/robots.txt"]
            with duckdb.connect(str(db), read_only=True) as con:
                kept = con.execute("select fetched_at from robots_txt").fetchall()
                statuses = con.execute(
                    "select status from archive_records where kind = 'robots'"
                    " and run_id = (select run_id from runs order by started_at desc limit 1)"
                ).fetchall()
            assert len(kept) == 1
            return [(t, s) for t, (s,) in zip(asked, statuses, strict=True)]

        assert robots_requests_of_a_run() == [("/robots.txt", 200)]
        assert robots_requests_of_a_run() == []  # within 24 hours: no request
        with duckdb.connect(str(db)) as con:
            con.execute("update robots_txt set fetched_at = now() - interval 25 hours")
        assert robots_requests_of_a_run() == [("/robots.txt", 304)]  # conditional, unchanged
        assert robots_requests_of_a_run() == []  # the 304 renewed it
