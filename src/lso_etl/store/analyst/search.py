"""Ranked search over the articles: phrases, proximity, field weights, the accents typed.

The semantics live in one place, the SQL macro `search_articles(query)`
(warehouse/macros/search_articles.sql): `search` below runs it and adds the day and section
filters, so `lso-etl search` and a SQL user get the same hits in the same order. It reads the
positional postings in `search_postings` and the adjacent word pairs in `search_pairs`,
written at every load (store.derived), so it is never stale and needs no extension. In short: every word must occur, accents ignored; a
"quoted phrase" must occur as consecutive words; hits whose accents match the ones typed come
first, then those holding the unquoted words side by side, then by BM25F with a proximity
bonus (headline above lead above body and captions).

`refresh_search` re-sorts the postings by term (and the pairs by pair) when many were
appended: DuckDB then reads only the row groups of the query's words (zone maps) instead of
every posting.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from lso_etl.store.analyst.textnorm import fold
from lso_etl.store.derived import BACKFILL_CHUNK, write_search
from lso_etl.store.loading import transaction
from lso_etl.store.search_upgrade import roomy

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Hit:
    article_id: str
    score: float
    published_at: datetime | None
    section: str | None
    headline: str
    sapo: str | None
    url: str
    accents_match: bool  # every accent typed is there (always true for a query without)
    phrase_match: bool  # the words outside quotes stand side by side, in order


@dataclass(frozen=True)
class Results:
    query: str
    folded: str  # the query's words without accents
    hits: list[Hit]


# Re-sort the postings when this share of documents was written since the last sort: a small
# unsorted tail costs a few row groups per query, a re-sort reads every posting.
UNSORTED_SHARE = 0.05
# Below four of DuckDB's row groups (122,880 rows each) a query reads every posting quickly
# anyway: re-sorting would rewrite both tables after each small run (0.9 s on the demo's 373
# articles) for nothing. About 1,800 articles.
SORT_FROM_POSTINGS = 4 * 122_880


def refresh_search(con: duckdb.DuckDBPyConnection, force: bool = False) -> dict[str, float]:
    """Keep the postings quick to read after loads; seconds spent (0: nothing to do).

    Call it once a run has loaded everything: the postings are re-sorted only when their
    unsorted tail has grown past UNSORTED_SHARE of a warehouse of SORT_FROM_POSTINGS or more.
    """
    seconds = {"builtin": 0.0}
    started = time.monotonic()
    if force or (_unsorted_share(con) > UNSORTED_SHARE and _postings(con) >= SORT_FROM_POSTINGS):
        # Not under a run's writer cap (64MB): at 100,000 articles the sort ran out of it.
        with roomy(con), transaction(con):
            _sort_postings(con)
        seconds["builtin"] = round(time.monotonic() - started, 2)
        con.execute("checkpoint")
    return seconds


def _postings(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("select count(*) from search_postings").fetchone()
    return int(row[0]) if row else 0


def _unsorted_share(con: duckdb.DuckDBPyConnection) -> float:
    row = con.execute(
        "select count(*) filter (where indexed_at > coalesce((select indexed_through"
        " from search_index where engine = 'builtin'), '-infinity'::timestamptz))"
        " / greatest(count(*), 1) from article_search"
    ).fetchone()
    return float(row[0]) if row else 0.0


def _sort_postings(con: duckdb.DuckDBPyConnection) -> None:
    # A table of the file, not a temporary one: its rows go to disk as the sort writes them.
    for table, key in (("search_postings", "term"), ("search_pairs", "pair")):
        con.execute(f"create table search_sorted_rows as from {table} order by {key}, article_id")
        con.execute(f"delete from {table}")
        con.execute(f"insert into {table} from search_sorted_rows")
        con.execute("drop table search_sorted_rows")
    _record_build(con, "builtin")


def rebuild_postings(con: duckdb.DuckDBPyConnection) -> None:
    """Rewrite the shadows and postings of every article, sorted by term: a repair, and the
    bulk path (loads maintain them one batch of articles at a time)."""
    ids = [row[0] for row in con.execute("select article_id from articles").fetchall()]
    with roomy(con), transaction(con):
        for table in ("search_postings", "search_pairs", "article_search"):
            con.execute(f"delete from {table}")
        for first in range(0, len(ids), BACKFILL_CHUNK):
            write_search(con, ids[first : first + BACKFILL_CHUNK])
        _sort_postings(con)


def _record_build(con: duckdb.DuckDBPyConnection, engine: str) -> None:
    con.execute(
        "insert or replace into search_index"
        " select ?, now(), count(*), max(indexed_at) from article_search",
        [engine],
    )


def search(
    con: duckdb.DuckDBPyConnection,
    query: str,
    start: date | None = None,
    end: date | None = None,
    section: str | None = None,
    limit: int = 20,
) -> Results:
    """The best `limit` articles for `query`, optionally within publish days and a section.

    The section matches without accents or case ("van hoa" is "Văn hóa"). Ties go to the
    newer article.
    """
    folded = fold(query)
    if not folded:
        return Results(query, folded, [])
    filters, params = _filters(con, start, end, section)
    # The macro ranks only the articles the filters keep, and only the hits that may reach
    # the page get the proximity bonus; headline, lead and URL are read for the page only.
    # No article kept is an empty list: null would mean no filter at all.
    within = (
        f"coalesce((select list(article_id) from articles where {filters}), [])"
        if params
        else "null"
    )
    rows = con.execute(
        "with scored as (select * from search_articles($query, top := $limit,"
        f" within := {within})),"
        " page as (select scored.*, published_at from scored join articles using (article_id)"
        " order by score desc, published_at desc nulls last, article_id limit $limit)"
        " select article_id, score, page.published_at, section, headline, sapo, url,"
        "  accents_match, phrase_match"
        " from page join articles using (article_id)"
        " order by score desc, page.published_at desc nulls last, article_id",
        {"query": query, "limit": limit, **params},
    ).fetchall()
    return Results(query, folded, [Hit(*row) for row in rows])


def _filters(
    con: duckdb.DuckDBPyConnection, start: date | None, end: date | None, section: str | None
) -> tuple[str, dict[str, object]]:
    """SQL conditions on `articles` and their parameters; only those asked for."""
    conditions: list[str] = ["true"]  # no filter: no params
    params: dict[str, object] = {}
    local_day = "cast(timezone('Asia/Ho_Chi_Minh', published_at) as date)"
    if start is not None:
        conditions.append(f"{local_day} >= $start")
        params["start"] = start
    if end is not None:
        conditions.append(f"{local_day} <= $end")
        params["end"] = end
    if section is not None:
        params["sections"] = matching_sections(con, section)
        conditions.append("list_contains($sections, section)")
    return " and ".join(conditions), params


def section_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The sections articles are filed under, most articles first."""
    rows = con.execute(
        "select section from articles where section is not null"
        " group by section order by count(*) desc, section"
    ).fetchall()
    return [row[0] for row in rows]


def matching_sections(con: duckdb.DuckDBPyConnection, section: str) -> list[str]:
    """The stored section names `section` names, accents and case aside ("van hoa")."""
    # Fold the few section names, not every article's: strip_accents is slow per row.
    return [name for name in section_names(con) if fold(name) == fold(section)]
