"""Rows derived from an article, rewritten whenever it is loaded: its authors with an accent-free
identity key (`fold`: "Thuy Linh" and "Thùy Linh" are one; the `authors` view adds each one's
kind from the `author_kinds` list), and its folded search shadow with postings (so the built-in search is current after every
load, and `backfill_derived` fills them in for articles loaded before the tables existed).
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from lso_etl.store.analyst.textnorm import fold
from lso_etl.store.catalog import has_table


def search_text(headline: str, sapo: str | None, body: str) -> str:
    """What search reads of an article: headline, lead and body."""
    return "\n".join(part for part in (headline, sapo, body) if part)


def write_derived(
    con: duckdb.DuckDBPyConnection,
    articles: Sequence[tuple[str, Sequence[str]]],
    fresh: bool = False,
) -> None:
    """Replace the author rows, search shadow and postings of stored articles (id, authors).

    `fresh`: none of them has derived rows yet, so there is nothing to delete (deleting from
    the postings scans the whole table, which grows with the warehouse).
    """
    if not articles:
        return
    ids = [article_id for article_id, _ in articles]
    if not fresh:
        for table in ("article_authors", "search_terms"):
            con.execute(f"delete from {table} where article_id in (select unnest(?))", [ids])
    author_rows = [
        (article_id, position, name, fold(name))
        for article_id, authors in articles
        for position, name in enumerate(authors, start=1)
    ]
    if author_rows:
        con.execute(
            "insert into article_authors select unnest($1), unnest($2), unnest($3), unnest($4)",
            [list(column) for column in zip(*author_rows, strict=True)],
        )
    # The shadow is folded in DuckDB by the `lso_fold` macro (the same string as textnorm.fold:
    # a test holds them together) from the stored row, so no text crosses from Python again;
    # separators fold away, so joining with a space reads as `search_text` does.
    con.execute(
        "insert or replace into article_search select article_id, doc,"
        " case when doc = '' then 0 else len(string_split(doc, ' ')) end, now() from"
        " (select article_id, lso_fold(concat_ws(' ', headline, sapo, body)) as doc"
        " from articles where article_id in (select unnest(?)))",
        [ids],
    )
    # The postings are counted from the shadow just written, inside DuckDB too.
    con.execute(
        "insert into search_terms select term, article_id, count(*), any_value(doc_len)"
        " from (select article_id, doc_len, unnest(string_split(doc, ' ')) as term"
        " from article_search where article_id in (select unnest(?)) and doc_len > 0)"
        " group by term, article_id",
        [ids],
    )


def backfill_derived(con: duckdb.DuckDBPyConnection) -> int:
    """Derived rows for articles loaded before they existed (a warehouse from migration 0001)."""
    if not has_table(con, "article_search"):
        return 0  # migrated only part of the way (a test's partial migration folder)
    rows = con.execute(
        "select article_id, authors from articles anti join article_search using (article_id)"
    ).fetchall()
    write_derived(con, rows)
    return len(rows)
