"""The warehouse's memory of each article: every version whole, every parse with its layout.

`article_versions` copies every column it shares with `articles` (so a column another migration
adds to both, such as `subsection`, flows in without a change here); `article_parses` keeps one
row per page parsed into a record, loaded or unchanged, so layout drift shows in the run that
saw it. Both tables come from migration 0107, which every warehouse the loader writes has.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import duckdb

from lso_etl.models import Article
from lso_etl.store.catalog import columns
from lso_etl.store.load_plan import RECORD_FIELDS, Parse, Stored, fallback_gaps, record_of


def stored_records(con: duckdb.DuckDBPyConnection, ids: Sequence[str]) -> dict[str, Stored]:
    """What the warehouse holds of each article: its version, its text's hash, `record_of` its
    other fields and how it was read (layout, provenance), all a new parse is compared with."""
    stored = set(columns(con, "articles"))
    present = [name for name in RECORD_FIELDS if name in stored]
    cursor = con.execute(
        "select article_id, content_hash, version, first_seen_at, layout, provenance,"
        f" {', '.join(present)} from articles where article_id in (select unnest(?))",
        [list(ids)],
    )
    return {
        row[0]: Stored(row[1], row[2], row[3],
                       record_of(dict(zip(present, row[6:], strict=True))), (row[4], row[5]))
        for row in cursor.fetchall()
    }  # fmt: skip


def write_versions(con: duckdb.DuckDBPyConnection, ids: Sequence[str]) -> None:
    """Copy the current rows of these articles, just written, into the history as open versions.

    Copied inside DuckDB rather than sent again: handing DuckDB each body once, not twice, is
    most of a batch's cost."""
    in_articles = set(columns(con, "articles"))
    shared = [c for c in columns(con, "article_versions") if c in in_articles]
    names = ", ".join(shared)
    con.execute(
        f"insert into article_versions ({names}, valid_from, valid_to)"
        f" select {names}, last_fetched_at, null from articles"
        " where article_id in (select unnest(?))",
        [list(ids)],
    )


def record_parses(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    parses: Sequence[Parse],
    reread: Mapping[str, Article],
) -> None:
    """One `article_parses` row per parse; an unchanged article read another way than stored
    takes its newest parse's layout and provenance (`reread`: a fallback re-parse shows)."""
    if not parses:
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
    if reread:
        con.execute(
            "update articles set layout = seen.layout, provenance = map(seen.keys, seen.vals)"
            " from (select unnest($1) as id, unnest($2) as layout,"
            " unnest($3::varchar[][]) as keys, unnest($4::varchar[][]) as vals) as seen"
            " where articles.article_id = seen.id",
            [list(reread), [a.layout for a in reread.values()],
             [list(a.provenance) for a in reread.values()],
             [list(a.provenance.values()) for a in reread.values()]],
        )  # fmt: skip
