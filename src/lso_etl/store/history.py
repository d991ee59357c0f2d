"""The warehouse's memory of each article: every version whole, every parse with its layout.

`article_versions` copies every column it shares with `articles` (so a column another migration
adds to both, such as `subsection`, flows in without a change here); `article_parses` keeps one
row per page parsed into a record, loaded or unchanged, so layout drift shows in the run that
saw it. Both tables come from migration 0107: a warehouse migrated only part of the way (a
test's partial migration folder) gets the old behaviour.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb

from lso_etl.models import Outcome
from lso_etl.store.catalog import has_table
from lso_etl.store.load_plan import RECORD_FIELDS, Parse, fallback_gaps, record_of


def columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [
        row[0]
        for row in con.execute(
            "select column_name from duckdb_columns() where table_name = ?"
            " and schema_name = 'main' and database_name = current_database()"
            " order by column_index",
            [table],
        ).fetchall()
    ]


def stored_records(
    con: duckdb.DuckDBPyConnection, ids: Sequence[str]
) -> dict[str, tuple[Any, ...]]:
    """`record_of` each stored article: what a new parse is compared with, besides the text."""
    present = [name for name in RECORD_FIELDS if name in set(columns(con, "articles"))]
    cursor = con.execute(
        f"select article_id, {', '.join(present)} from articles"
        " where article_id in (select unnest(?))",
        [list(ids)],
    )
    return {
        row[0]: record_of(dict(zip(present, row[1:], strict=True))) for row in cursor.fetchall()
    }


def write_versions(con: duckdb.DuckDBPyConnection, ids: Sequence[str]) -> None:
    """Copy the current rows of these articles, just written, into the history as open versions.

    Copied inside DuckDB rather than sent again: handing DuckDB each body once, not twice, is
    most of a batch's cost."""
    shared = [c for c in columns(con, "article_versions") if c in set(columns(con, "articles"))]
    names = ", ".join(shared)
    con.execute(
        f"insert into article_versions ({names}, valid_from, valid_to)"
        f" select {names}, last_fetched_at, null from articles"
        " where article_id in (select unnest(?))",
        [list(ids)],
    )


def record_parses(con: duckdb.DuckDBPyConnection, run_id: str, parses: Sequence[Parse]) -> None:
    """One `article_parses` row per parse; an article whose newest parse in the batch left it
    unchanged takes that parse's layout and provenance (a fallback re-parse shows)."""
    if not parses or not has_table(con, "article_parses"):
        return
    articles = [p.article for p in parses]
    con.execute(
        "insert into article_parses select $run, unnest($ids), unnest($at::timestamptz[]),"
        " unnest($outcomes), unnest($versions), unnest($published::timestamptz[]),"
        " unnest($layouts), map(unnest($keys::varchar[][]), unnest($values::varchar[][])),"
        " unnest($parsers), unnest($gaps::varchar[][])",
        {"run": run_id, "ids": [a.article_id for a in articles],
         "at": [p.parsed_at for p in parses], "outcomes": [p.outcome.value for p in parses],
         "versions": [p.version for p in parses],
         "published": [a.published_at for a in articles], "layouts": [a.layout for a in articles],
         "keys": [list(a.provenance) for a in articles],
         "values": [list(a.provenance.values()) for a in articles],
         "parsers": [a.parser_version for a in articles],
         "gaps": [list(fallback_gaps(a)) for a in articles]},
    )  # fmt: skip
    newest = {p.article.article_id: p for p in parses}
    reread = [p.article for p in newest.values() if p.outcome is Outcome.UNCHANGED]
    if reread:
        con.execute(
            "update articles set layout = seen.layout, provenance = map(seen.keys, seen.vals)"
            " from (select unnest($1) as id, unnest($2) as layout,"
            " unnest($3::varchar[][]) as keys, unnest($4::varchar[][]) as vals) as seen"
            " where articles.article_id = seen.id",
            [[a.article_id for a in reread], [a.layout for a in reread],
             [list(a.provenance) for a in reread], [list(a.provenance.values()) for a in reread]],
        )  # fmt: skip
