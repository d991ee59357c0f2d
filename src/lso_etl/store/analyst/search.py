"""Ranked, accent- and tone-placement-insensitive search over the articles.

Both engines rank by BM25 (k1 1.2, b 0.75, every query word required) over the same folded
shadow, `article_search.doc`, and give the same scores (a test holds them together):
- `builtin` (the default): the postings in `search_terms`, written at every load, so it is
  never stale and needs no extension; the SQL macro `search_articles(query)` is this engine,
  usable from any DuckDB client. Measured at 100,000 articles it answers in about half the
  time of fts (bench/RESULTS.md), which is why it is the default.
- `fts`: DuckDB's full-text extension, shipped for duckdb 1.5.5 as the PyPI package
  `duckdb-extension-fts` and loaded from its file (no network). DuckDB's fts index has no
  incremental update: `refresh_search` rebuilds it at the end of a run, and until then it is
  stale and refused.
`refresh_search` also re-sorts the postings by term when many were appended: DuckDB then
reads only the row groups of the query's words (zone maps) instead of every posting.
"""

from __future__ import annotations

import importlib.resources
import logging
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Literal

import duckdb

from lso_etl.store.analyst.textnorm import fold

log = logging.getLogger(__name__)

Engine = Literal["builtin", "fts"]
FTS_SCHEMA = "fts_main_article_search"
_FTS_OPTIONS = (
    "stemmer = 'none', stopwords = 'none', ignore = '[^a-z0-9]+', strip_accents = 0, lower = 0"
)


@dataclass(frozen=True)
class Hit:
    article_id: str
    score: float
    published_at: datetime | None
    section: str | None
    headline: str
    sapo: str | None
    url: str


@dataclass(frozen=True)
class Results:
    query: str
    folded: str  # what was matched: the query's shadow
    engine: str  # the engine that answered
    hits: list[Hit]


def fts_extension_file() -> Path | None:
    """The fts extension shipped in the `duckdb-extension-fts` wheel for this duckdb, if any."""
    try:
        package = importlib.resources.files("duckdb_extension_fts")
    except ModuleNotFoundError:
        return None
    found = Path(str(package)) / "extensions" / f"v{duckdb.__version__}" / "fts.duckdb_extension"
    return found if found.is_file() else None


def load_fts(con: duckdb.DuckDBPyConnection) -> bool:
    """Load fts from its packaged file; False (and the built-in engine) when that fails."""
    extension = fts_extension_file()
    if extension is None:
        log.info("fts extension not installed for duckdb %s: built-in search", duckdb.__version__)
        return False
    try:
        con.execute(f"load '{extension}'")
    except duckdb.Error as exc:
        log.warning("fts extension did not load (%s): built-in search", exc)
        return False
    return True


# Re-sort the postings when this share of documents was written since the last sort: a small
# unsorted tail costs a few row groups per query, a re-sort reads every posting.
UNSORTED_SHARE = 0.05


def refresh_search(
    con: duckdb.DuckDBPyConnection, force: bool = False, fts: bool = True
) -> dict[str, float]:
    """Bring both engines up to date after loads; seconds spent per engine (0: nothing to do).

    Call it once a run has loaded everything: the fts index is rebuilt from every document
    (DuckDB's fts has no incremental update), the postings are re-sorted only when their
    unsorted tail has grown past UNSORTED_SHARE. `fts=False` skips the fts index (about a
    minute and a half per 100,000 articles here) when only the default engine is wanted.
    """
    seconds = {"builtin": 0.0, "fts": 0.0}
    started = time.monotonic()
    if force or _unsorted_share(con) > UNSORTED_SHARE:
        _sort_postings(con)
        seconds["builtin"] = round(time.monotonic() - started, 2)
    if fts and (force or not fts_is_current(con)) and load_fts(con):
        started = time.monotonic()
        _build_fts(con)
        seconds["fts"] = round(time.monotonic() - started, 2)
    if any(seconds.values()):
        con.execute("checkpoint")
    return seconds


def _unsorted_share(con: duckdb.DuckDBPyConnection) -> float:
    row = con.execute(
        "select count(*) filter (where indexed_at > coalesce((select indexed_through"
        " from search_index where engine = 'builtin'), '-infinity'::timestamptz))"
        " / greatest(count(*), 1) from article_search"
    ).fetchone()
    return float(row[0]) if row else 0.0


def _sort_postings(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("begin")
    con.execute(
        "create temp table sorted_terms as select * from search_terms order by term, article_id"
    )
    con.execute("delete from search_terms")
    con.execute("insert into search_terms select * from sorted_terms")
    con.execute("drop table sorted_terms")
    _record_build(con, "builtin")
    con.execute("commit")


def _build_fts(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("begin")
    con.execute(
        f"pragma create_fts_index('article_search', 'article_id', 'doc', {_FTS_OPTIONS},"
        " overwrite = 1)"
    )
    # Sorted by term, a query reads only its words' row groups (4-10x faster at 100k docs).
    con.execute(
        f"create or replace table {FTS_SCHEMA}.terms as"
        f" select * from {FTS_SCHEMA}.terms order by termid, docid"
    )
    _record_build(con, "fts")
    con.execute("commit")


def rebuild_postings(con: duckdb.DuckDBPyConnection) -> None:
    """Rewrite `search_terms` from the shadows, sorted by term: a repair, and the bulk path.

    Loads maintain the postings one article at a time; this gives the same rows at once.
    """
    con.execute("begin")
    con.execute("delete from search_terms")
    con.execute(
        "insert into search_terms"
        " select term, article_id, count(*)::integer, any_value(doc_len)"
        " from (select article_id, doc_len, unnest(string_split(doc, ' ')) as term"
        " from article_search) where term <> ''"
        " group by term, article_id order by term, article_id"
    )
    _record_build(con, "builtin")
    con.execute("commit")


def _record_build(con: duckdb.DuckDBPyConnection, engine: str) -> None:
    con.execute(
        "insert or replace into search_index"
        " select ?, now(), count(*), max(indexed_at) from article_search",
        [engine],
    )


def has_fts_index(con: duckdb.DuckDBPyConnection) -> bool:
    """True when someone built the optional fts index in this warehouse (current or stale)."""
    row = con.execute(
        "select exists (select 1 from search_index where engine = 'fts')"
        " or exists (select 1 from duckdb_schemas() where schema_name = ?)",
        [FTS_SCHEMA],
    ).fetchone()
    return bool(row and row[0])


def fts_is_current(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the fts index covers exactly the shadows there are now."""
    row = con.execute(
        "select built.docs = now.docs and built.indexed_through is not distinct from now.newest"
        " from search_index as built,"
        " (select count(*) as docs, max(indexed_at) as newest from article_search) as now"
        " where built.engine = 'fts'"
    ).fetchone()
    return bool(row and row[0])


def choose_engine(con: duckdb.DuckDBPyConnection, engine: Engine) -> str:
    if engine == "builtin":
        return "builtin"
    if not load_fts(con):
        raise ValueError("the fts extension does not load here: use --engine builtin")
    if not fts_is_current(con):
        raise ValueError("the fts index is missing or stale: it is rebuilt at the end of a run")
    return "fts"


_SCORED = {
    "builtin": "select article_id, score from search_articles($query)",
    "fts": (
        f"select article_id, score from (select article_id, {FTS_SCHEMA}.match_bm25("
        "article_id, $query, conjunctive := 1) as score from article_search) where score is not null"
    ),
}


def search(
    con: duckdb.DuckDBPyConnection,
    query: str,
    start: date | None = None,
    end: date | None = None,
    section: str | None = None,
    limit: int = 20,
    engine: Engine = "builtin",
) -> Results:
    """The best `limit` articles for `query`, optionally within publish days and a section.

    The section matches without accents or case ("van hoa" is "Văn hóa"). Ties go to the
    newer article.
    """
    folded = fold(query)
    if not folded:
        return Results(query, folded, "none", [])
    used = choose_engine(con, engine)
    filters, params = _filters(con, start, end, section)
    # Rank on the narrow columns first; read headline, lead and URL for the page only.
    rows = con.execute(
        f"with scored as ({_SCORED[used]}),"
        " page as (select article_id, score, published_at from scored"
        f" join articles using (article_id) where {filters}"
        " order by score desc, published_at desc nulls last, article_id limit $limit)"
        " select article_id, score, page.published_at, section, headline, sapo, url"
        " from page join articles using (article_id)"
        " order by score desc, page.published_at desc nulls last, article_id",
        {"query": folded, "limit": limit, **params},
    ).fetchall()
    return Results(query, folded, used, [Hit(*row) for row in rows])


def _filters(
    con: duckdb.DuckDBPyConnection, start: date | None, end: date | None, section: str | None
) -> tuple[str, dict[str, object]]:
    """SQL conditions on `articles` and their parameters; only those asked for."""
    conditions: list[str] = ["true"]
    params: dict[str, object] = {}
    local_day = "cast(timezone('Asia/Ho_Chi_Minh', published_at) as date)"
    if start is not None:
        conditions.append(f"{local_day} >= $start")
        params["start"] = start
    if end is not None:
        conditions.append(f"{local_day} <= $end")
        params["end"] = end
    if section is not None:
        # Fold the few section names, not every article's: strip_accents is slow per row.
        names = [row[0] for row in con.execute("select distinct section from articles").fetchall()]
        params["sections"] = [name for name in names if name and fold(name) == fold(section)]
        conditions.append("list_contains($sections, section)")
    return " and ".join(conditions), params
