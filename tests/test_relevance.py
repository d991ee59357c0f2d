"""The relevance set (bench/relevance_judgments.json) and search's standing on it.

The judged queries cover what analysts type; on them, search ranks at least as well as the
engine it replaced (BM25 over the folded text), on average and by each measure.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from demo_warehouse import demo_db

from lso_etl.store import warehouse
from lso_etl.store.analyst.textnorm import fold

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
import relevance


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    with warehouse.connect(demo_db(), read_only=True) as connection:
        connection.execute(relevance.TODAY_SQL)
        yield connection  # type: ignore[misc]


def test_the_set_covers_what_analysts_type() -> None:
    judged = relevance.load()
    kinds = Counter(word for entry in judged for word in str(entry["kind"]).split(", "))
    queries = [str(entry["query"]) for entry in judged]
    assert len(queries) >= 30 and len(set(queries)) == len(queries)
    for kind in ("phrase", "words", "name", "place", "no accents", "đ", "d for đ"):
        assert kinds[kind] >= 1, kind
    assert sum(1 for q in queries if q == fold(q)) >= 8  # typed without accents
    assert all(entry["grades"] for entry in judged)  # each has relevant articles


def test_search_ranks_at_least_as_well_as_the_engine_it_replaced(
    con: duckdb.DuckDBPyConnection,
) -> None:
    mean = relevance.means(relevance.scores(con, relevance.load()))
    for measure in ("P@10", "nDCG@10"):
        assert mean[f"ours {measure}"] >= mean[f"today {measure}"], measure
    assert mean["ours nDCG@10"] >= 0.9
