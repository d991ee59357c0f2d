"""Chaos: the whole replay corpus with 20% of all requests faulted (a fixed seed), every kind of
fault in the mix. Backfills are rerun as an operator would until no chunk is left to run; then
every article is loaded or in an honest terminal outcome, none missing, none duplicated."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import duckdb

from lso_etl.pipeline.run import backfill
from lso_etl.replay.faults import Fault
from lso_etl.replay.model import Corpus
from lso_etl.replay.server import ReplaySite
from lso_etl.settings import Settings

SEED = 20171
FINAL_FAULTS = {"loop", "offsite", "oversize", "oversize-unsized", "bomb"}
RETRIED_FAULTS = {500, 503, 429, 408, "429-date", "slow", "drip", "reset", "truncate"}


def test_chaos_backfill_ends_with_nothing_lost_and_nothing_twice(
    corpus: Corpus, tmp_path: Path
) -> None:
    db = tmp_path / "lso.duckdb"
    with ReplaySite(corpus, fault_rate=0.2, fault_seed=SEED, slow_seconds=1.0) as site:
        settings = Settings.from_env(
            {}, base_url=site.base_url, db=db, min_delay=0.0, backoff=0.01, max_attempts=4,
            read_timeout=0.3, total_timeout=0.6, max_retry_after=5.0, chunk_days=31,
        )  # fmt: skip
        passes = []
        while len(passes) < 5:
            result = backfill(settings, corpus.first_day, corpus.last_day)
            passes.append(result)
            if not result["chunks_failed"] and not result["counts"].get("gave_up"):
                break
        served, requests = list(site.faults_served), list(site.requests)
    faulted_share = len(served) / sum(1 for _, t in requests if t != "/robots.txt")
    assert 0.15 < faulted_share < 0.25, faulted_share
    assert not passes[-1]["chunks_failed"], passes

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
