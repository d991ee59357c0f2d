"""Chaos: the whole replay corpus with 20% of all requests faulted (a fixed seed), every kind of
fault in the mix, and on top the discovery faults of issue 12: the first sitemap index read is
an endless chain of indexes, and one month's child sitemap first answers a challenge page, then
403. Backfills are rerun as an operator would until no chunk is left to run; then every article
is loaded or in an honest terminal outcome, none missing, none duplicated; and after every pass,
no range recorded finished holds an article that is not loaded or finally refused."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import duckdb

from lso_etl.pipeline.run import backfill
from lso_etl.pipeline.steps import finished_chunks
from lso_etl.replay.faults import Fault
from lso_etl.replay.model import Corpus
from lso_etl.replay.server import ReplaySite
from lso_etl.settings import Settings

SEED = 20171
FINAL_FAULTS = {"loop", "offsite", "other-scheme", "oversize", "oversize-unsized", "bomb"}
RETRIED_FAULTS = {500, 503, 429, 408, "429-date", "slow", "drip", "reset", "truncate",
                  "short-length", "gzip-cut", "challenge"}  # fmt: skip
# Queued before the random ones: what a hostile or half-broken sitemap setup serves.
DISCOVERY_FAULTS: dict[str, list[Fault]] = {
    "/sitemap.xml": ["sitemap-chain"],
    "/sitemaps/2017-08.xml": ["challenge", 403],
}


def test_chaos_backfill_ends_with_nothing_lost_and_nothing_twice(
    corpus: Corpus, tmp_path: Path
) -> None:
    db = tmp_path / "lso.duckdb"
    with ReplaySite(
        corpus, faults=DISCOVERY_FAULTS, fault_rate=0.2, fault_seed=SEED, slow_seconds=1.0
    ) as site:
        settings = Settings.from_env(
            {}, base_url=site.base_url, db=db, min_delay=0.0, backoff=0.01, max_attempts=4,
            read_timeout=0.3, total_timeout=0.6, max_retry_after=5.0, chunk_days=31,
        )  # fmt: skip
        passes = []
        while len(passes) < 5:
            result = backfill(settings, corpus.first_day, corpus.last_day)
            passes.append(result)
            _assert_finished_ranges_were_discovered(settings, corpus)
            if not result["chunks_failed"] and not result["counts"].get("gave_up"):
                break
        served, requests = list(site.faults_served), list(site.requests)
    faulted_share = len(served) / sum(1 for _, t in requests if t != "/robots.txt")
    assert 0.15 < faulted_share < 0.25, faulted_share
    assert not passes[-1]["chunks_failed"], passes
    assert passes[0]["chunks_failed"], passes  # the chain and the bad child sitemap failed some
    served_kinds = {fault for _, fault in served}
    assert {"sitemap-chain", "challenge", "short-length", "gzip-cut"} <= served_kinds

    by_path: dict[str, list[Fault]] = defaultdict(list)
    for target, fault in served:
        by_path[target.split("?")[0]].append(fault)
    with duckdb.connect(str(db), read_only=True) as con:
        frontier = dict(con.execute("select article_id, last_outcome from frontier").fetchall())
        stored = con.execute("select article_id, headline, published_at from articles").fetchall()
        versions = con.execute(
            "select count(*) from article_versions group by article_id having count(*) > 1"
        ).fetchall()
    truth = {a.article_id: a for a in corpus.articles}
    assert set(frontier) == set(truth)  # none missing, and nothing that is not an article
    assert len(stored) == len({row[0] for row in stored})  # none duplicated
    assert versions == []  # nothing loaded twice as a spurious new version
    for article_id, headline, published_at in stored:
        assert (headline, published_at) == (
            truth[article_id].headline,
            truth[article_id].published_at,
        )

    _assert_honest(frontier, truth, by_path)
    tally = {o: list(frontier.values()).count(o) for o in sorted(set(frontier.values()))}
    print(  # the figures for the closing note (pytest -s)
        f"\nchaos: {len(passes)} passes, {len(requests)} requests, {len(served)} faulted"
        f" ({faulted_share:.0%}), chunks failed per pass"
        f" {[len(p['chunks_failed']) for p in passes]}, outcomes {tally}"
    )


def _assert_honest(
    frontier: dict[str, str], truth: dict[str, Any], by_path: dict[str, list[Fault]]
) -> None:
    """Each outcome other than `loaded` is explained by the faults its page was served."""
    dishonest = []
    for article_id, outcome in frontier.items():
        faults = set(by_path[truth[article_id].path])
        honest = {
            "loaded": True,
            "http_error": bool(faults & FINAL_FAULTS),
            "quarantined": "badcharset" in faults,
            "gave_up": bool(faults & (RETRIED_FAULTS | {"429-long"})),
        }.get(outcome, False)
        if not honest:
            dishonest.append((article_id, outcome, faults))
    assert not dishonest, dishonest
    outcomes = sorted(set(frontier.values()))
    assert {"loaded", "http_error", "quarantined"} <= set(outcomes), outcomes


def _assert_finished_ranges_were_discovered(settings: Settings, corpus: Corpus) -> None:
    """A chunk recorded finished is skipped by every later run: each article published in it
    must have been found and have ended (loaded, or a final http_error or quarantine), or it
    is lost for good: missing from the frontier, or a `gave_up` no later backfill retries."""
    with duckdb.connect(str(settings.db), read_only=True) as con:
        ended = dict(con.execute("select article_id, last_outcome from frontier").fetchall())
    for first, last in finished_chunks(settings):
        unloaded = [
            (a.article_id, ended.get(a.article_id, "missing"))
            for a in corpus.articles
            if first <= a.published_at.date() <= last
            and ended.get(a.article_id) not in ("loaded", "http_error", "quarantined")
        ]
        assert not unloaded, (first, last, unloaded)
