"""The word pairs and weighted term frequencies search reads (migration 0105) follow the
articles: written at load, replaced with a new version or a reparse, left alone by a re-load,
rebuilt by a repair and by the next migrate when missing.

The expected rows are computed in Python from the article's fields (`textnorm.words`), not
by the loader's SQL.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import duckdb
from test_search import _loaded
from test_warehouse import _article, _item, _run

from lso_etl.models import Article, ParseResult, Status
from lso_etl.store import warehouse
from lso_etl.store.analyst import search
from lso_etl.store.analyst.textnorm import words

WEIGHTS = (3, 2, 1, 1)  # headline, lead, body, captions


def _fields(article: Article) -> list[str]:
    return [article.headline, article.sapo or "", article.body, " ".join(article.captions)]


def _expected(article: Article) -> tuple[set[str], dict[str, int]]:
    """The article's accent-free adjacent pairs (never across fields) and weighted tf."""
    pairs: set[str] = set()
    tf: Counter[str] = Counter()
    for weight, text in zip(WEIGHTS, _fields(article), strict=True):
        field = words(text)
        pairs.update(f"{one} {two}" for one, two in pairwise(field))
        for word in field:
            tf[word] += weight
    return pairs, dict(tf)


def _stored(con: duckdb.DuckDBPyConnection, article_id: str) -> tuple[set[str], dict[str, int]]:
    sql = "select pair from search_pairs where article_id = ?"
    pairs = {row[0] for row in con.execute(sql, [article_id]).fetchall()}
    sql = "select term, tf from search_postings where article_id = ?"
    return pairs, dict(con.execute(sql, [article_id]).fetchall())  # type: ignore[arg-type]


def _everything(con: duckdb.DuckDBPyConnection) -> list[list[tuple[object, ...]]]:
    return [
        con.execute(f"select * from {table} order by all").fetchall()
        for table in ("search_postings", "search_pairs")
    ]


FIRST = _article(body="Cửa khẩu Tân Thanh thông quan.\n\nĐoạn hai.")
SECOND = _article(body="Nông thôn mới ở Đình Lập.\n\nĐoạn hai.", content_hash="b" * 64)


def test_a_load_writes_the_pairs_and_weights_of_the_text(db: Path) -> None:
    with _loaded(db, FIRST) as con:
        stored = _stored(con, FIRST.article_id)
        # "hội nghị" ends the lead and the caption: one row, both starts
        starts = con.execute("select starts from search_pairs where pair = 'hoi nghi'").fetchall()
        crossing = search.search(con, '"thang sang"').hits  # headline's end, lead's start
    assert stored == _expected(FIRST)
    assert starts == [([1_000_007, 3_000_002],)]
    assert crossing == []


def test_a_new_version_or_a_reparse_replaces_the_pairs_and_a_reload_keeps_them(
    db: Path,
) -> None:
    with _loaded(db, FIRST, FIRST) as con:  # the second load is unchanged: nothing rewritten
        once = _everything(con)
        warehouse.load_batch(con, _run(con), [_item(ParseResult(Status.OK, article=SECOND))])
        edited = _stored(con, FIRST.article_id)
        old_phrase = search.search(con, '"cửa khẩu tân thanh"').hits
        new_phrase = search.search(con, '"nông thôn mới"').hits
        reparsed = replace(SECOND, headline="Sở Nội vụ tổng kết năm", content_hash="c" * 64)
        run = _run(con, flow="reparse")
        warehouse.load_batch(con, run, [_item(ParseResult(Status.OK, article=reparsed))])
        after_reparse = _stored(con, FIRST.article_id)
        versions = con.execute("select version from articles").fetchall()
    # 26 adjacent pairs (8 + 8 + 7 + 3), of which "sở nội", "nội vụ" and "hội nghị" twice
    assert [len(rows) for rows in once] == [len(_expected(FIRST)[1]), 23]
    assert edited == _expected(SECOND)
    assert old_phrase == [] and [h.article_id for h in new_phrase] == [FIRST.article_id]
    assert after_reparse == _expected(reparsed) and versions == [(3,)]


def test_a_repair_and_a_migrate_after_a_backfill_cut_short_write_the_same_rows(db: Path) -> None:
    other = replace(SECOND, article_id="new:7", url="https://baolangson.vn/x-7.html")
    with _loaded(db, FIRST, other) as con:
        loaded = _everything(con)
        search.rebuild_postings(con)
        repaired = _everything(con)
        con.execute("delete from search_pairs where article_id = 'new:7'")
        con.execute("delete from search_postings where article_id = 'new:7'")
        con.execute("delete from article_search where article_id = 'new:7'")
        warehouse.migrate(con)  # what 0105 does to every article: the backfill writes them
        migrated = _everything(con)
    assert repaired == loaded and migrated == loaded
