"""Rows derived from an article, rewritten whenever it is loaded: its authors with an accent-free
identity key (`fold`: "Thuy Linh" and "Thùy Linh" are one; the `authors` view adds each one's
kind from the `author_kinds` list), and its search shadow with positional postings and
adjacent word pairs (so search is current after every load, and `backfill_derived` fills them
in for articles loaded before the tables existed).
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from lso_etl.store.analyst.textnorm import fold
from lso_etl.store.catalog import has_table

# Word positions are field * FIELD_SPAN + index in the field: the field is known from the
# position (for its weight), and a phrase never runs from one field into the next.
FIELD_SPAN = 1_000_000
BACKFILL_CHUNK = 2000


def write_search(con: duckdb.DuckDBPyConnection, ids: Sequence[str]) -> None:
    """Positional postings, word pairs and the accent-free shadow of stored articles (their old
    rows gone).

    Done inside DuckDB by the macros of `warehouse/macros/lso_search_words.sql`, the same
    words the query is cut into by `search_articles`, so no text crosses from Python again.
    """
    con.execute(
        "create or replace temp table search_words as"
        " select article_id, doc_len, field * $span + position as pos, word"
        " from (select article_id, doc_len, field, unnest(words) as word,"
        "  unnest(generate_series(0, len(words) - 1))::integer as position"
        "  from (select *, sum(len(words)) over (partition by article_id) as doc_len"
        "   from (select article_id, field, lso_search_words(text) as words"
        "    from (select article_id, unnest([0, 1, 2, 3]) as field,"
        "     unnest([headline, sapo, body, array_to_string(captions, ' ')]) as text"
        "     from articles where article_id in (select unnest($ids))))))",
        {"ids": list(ids), "span": FIELD_SPAN},
    )
    # Each distinct word is keyed once (the keys cost far more than the words' few thousands).
    con.execute(
        "create or replace temp table search_vocabulary as"
        " select word, lso_search_term(word) as term, lso_search_exact(word) as exact"
        " from (select distinct word from search_words)"
    )
    con.execute(
        "create or replace temp table search_keyed as"
        " select article_id, doc_len, pos, term, exact"
        " from search_words join search_vocabulary using (word)"
    )
    # Field weights for BM25F (headline 3, lead 2, body and captions 1), summed once here.
    con.execute(
        "insert into search_postings"
        " select term, article_id, string_agg(distinct exact, ' ' order by exact),"
        "  list(pos order by pos),"
        "  sum(case pos // $span when 0 then 3 when 1 then 2 else 1 end), any_value(doc_len)"
        " from search_keyed group by term, article_id",
        {"span": FIELD_SPAN},
    )
    # Positions of a field differ by less than FIELD_SPAN: pos + 1 never crosses a field.
    con.execute(
        "insert into search_pairs"
        " select one.term || ' ' || two.term, one.exact, two.exact, one.article_id,"
        "  list(one.pos order by one.pos)"
        " from search_keyed as one join search_keyed as two"
        "  on two.article_id = one.article_id and two.pos = one.pos + 1"
        " group by one.term, two.term, one.exact, two.exact, one.article_id"
    )
    con.execute(
        "insert or replace into article_search"
        " select article_id, coalesce(string_agg(term, ' ' order by pos), ''), count(pos), now()"
        " from (select unnest($ids) as article_id)"
        " left join search_keyed using (article_id)"
        " group by article_id",
        {"ids": list(ids)},
    )
    for table in ("search_words", "search_vocabulary", "search_keyed"):
        con.execute(f"drop table {table}")


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
        for table in ("article_authors", "search_postings", "search_pairs"):
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
    write_search(con, ids)


def backfill_derived(con: duckdb.DuckDBPyConnection) -> int:
    """Derived rows for articles loaded before they existed (a warehouse from migration 0001)."""
    if not has_table(con, "search_pairs"):
        return 0  # migrated only part of the way (a test's partial migration folder)
    rows = con.execute(
        "select article_id, authors from articles anti join article_search using (article_id)"
    ).fetchall()
    for first in range(0, len(rows), BACKFILL_CHUNK):  # bounded memory on a big warehouse
        write_derived(con, rows[first : first + BACKFILL_CHUNK])
    return len(rows)
