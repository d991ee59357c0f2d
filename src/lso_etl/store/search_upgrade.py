"""Migration 0105's second half: 0104's postings rewritten in the shape search reads now.

0104 kept one posting per accented form of a word in an article; 0105 keeps one per word with
its accented forms, positions and field-weighted tf, plus a row per adjacent word pair
(`search_pairs`). Everything 0105 needs is in 0104's postings (each word's positions and
accented form), so they are converted inside DuckDB instead of re-reading every article's
text: on 100,000 articles 6 minutes in 1.4 GB, where the loader's backfill took 50 minutes in
15 GB (bench/RESULTS.md). The rows are the ones the loader writes (store.derived.write_search);
tests/test_search_upkeep.py holds the two equal.

The work is cut into chunks so that it fits in UPGRADE_MEMORY: postings by ranges of words,
written in word order, so they need no sort afterwards; pairs by ranges of articles, then
sorted once by pair (DuckDB's sort spills to disk). It runs in migration 0105's transaction
(warehouse.MIGRATION_STEPS): an upgrade cut short (Ctrl-C, a crash) leaves the warehouse as
0104 left it, search included, and the next migrate starts over.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from lso_etl.store.catalog import has_table

log = logging.getLogger(__name__)

OLD_POSTINGS = "search_postings_0104"  # what 0105_search_pairs.sql renamed 0104's table to
# Whatever the connection's own limit (a run's is 64MB, a bare connection's 80% of the RAM):
# enough for a chunk or DuckDB's spilling sort, small enough for a small machine.
UPGRADE_MEMORY = "1GB"
POSTINGS_PER_CHUNK = 2_000_000
ARTICLES_PER_CHUNK = 2_500

# Field weights for BM25F as the loader sums them: headline 3, lead 2, body and captions 1
# (a position is field * 1,000,000 + index in the field, store.derived.FIELD_SPAN).
POSTINGS = f"""
insert into search_postings
select term, article_id, string_agg(distinct exact, ' ' order by exact),
    list_sort(flatten(list(positions))),
    sum(list_sum(list_transform(positions,
        lambda pos: case pos // 1000000 when 0 then 3 when 1 then 2 else 1 end))),
    any_value(doc_len)
from {OLD_POSTINGS}
where ($low is null or term >= $low) and ($high is null or term < $high)
group by term, article_id
order by term, article_id
"""

# Positions of a field differ by less than 1,000,000: pos + 1 never crosses a field.
PAIRS = f"""
insert into search_pairs_unsorted
with keyed as (
    select article_id, term, exact, unnest(positions) as pos
    from {OLD_POSTINGS}
    where article_id between $first and $last
)
select one.term || ' ' || two.term, one.exact, two.exact, one.article_id,
    list(one.pos order by one.pos)
from keyed as one
join keyed as two on two.article_id = one.article_id and two.pos = one.pos + 1
group by one.term, two.term, one.exact, two.exact, one.article_id
"""


def convert_0104_postings(con: duckdb.DuckDBPyConnection) -> int:
    """Convert the postings 0105_search_pairs.sql set aside, inside its transaction (migrate's
    MIGRATION_STEPS); the articles converted."""
    if not has_table(con, OLD_POSTINGS):
        return 0
    started = time.monotonic()
    ids = [row[0] for row in con.execute(f"select distinct article_id from {OLD_POSTINGS}")
           .fetchall()]  # fmt: skip
    ids.sort()
    if not ids:  # a new warehouse: nothing to convert, and no reason to touch the settings
        con.execute(f"drop table {OLD_POSTINGS}")
        return 0
    log.info("upgrading the search postings of %d articles (migration 0105)", len(ids))
    with roomy(con):
        for low, high in _word_ranges(con):
            con.execute(POSTINGS, {"low": low, "high": high})
        # A table of the file, not a temporary one: its rows go to disk as they come.
        con.execute("create table search_pairs_unsorted as from search_pairs limit 0")
        for first in range(0, len(ids), ARTICLES_PER_CHUNK):
            chunk = ids[first : first + ARTICLES_PER_CHUNK]
            con.execute(PAIRS, {"first": chunk[0], "last": chunk[-1]})
        # Sorted as refresh_search sorts them: a query reads only its pairs' row groups.
        con.execute("insert into search_pairs from search_pairs_unsorted order by pair, article_id")
        con.execute("drop table search_pairs_unsorted")
        con.execute(f"drop table {OLD_POSTINGS}")
    log.info("search postings upgraded in %.0f s", time.monotonic() - started)
    return len(ids)


def _word_ranges(con: duckdb.DuckDBPyConnection) -> Iterator[tuple[str | None, str | None]]:
    """[low, high) ranges of words holding about POSTINGS_PER_CHUNK postings, in order; the
    first has no low end and the last no high end, so every word is in exactly one."""
    counts = con.execute(
        f"select left(term, 2) as head, count(*) from {OLD_POSTINGS} group by head order by head"
    ).fetchall()
    low: str | None = None
    held = 0
    for head, count in counts:
        if held and held + count > POSTINGS_PER_CHUNK:
            yield low, head
            low, held = head, 0
        held += count
    yield low, None


@contextmanager
def roomy(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """At least UPGRADE_MEMORY and every core for a rewrite of whole search tables (this
    upgrade, refresh_search's re-sort), then the connection's own settings back.

    A larger limit (a notebook's 80% of the RAM, LSO_WRITER_MEMORY=8GB, none at all) is left
    as it is: only a smaller one, which DuckDB prints back exactly enough, is raised."""
    row = con.execute("select current_setting('memory_limit'), current_setting('threads')")
    memory, threads = row.fetchone() or ("", 1)
    raise_memory = _bytes(memory) < _bytes(UPGRADE_MEMORY)
    if raise_memory:
        con.execute(f"set memory_limit = '{UPGRADE_MEMORY}'")
    con.execute("reset threads")
    try:
        yield
    finally:
        if raise_memory:
            con.execute(f"set memory_limit = '{memory}'")
        con.execute(f"set threads = {int(threads)}")


_UNITS = {"B": 1, "KB": 1000, "MB": 1000**2, "GB": 1000**3, "TB": 1000**4, "PB": 1000**5,
          "KIB": 1024, "MIB": 1024**2, "GIB": 1024**3, "TIB": 1024**4, "PIB": 1024**5}  # fmt: skip


def _bytes(size: str) -> float:
    """'61.0 MiB', '1GB', '16383.9 PiB' (no limit) in bytes; anything else counts as no limit."""
    found = re.fullmatch(r"\s*([\d.]+)\s*([A-Za-z]+)\s*", size)
    if not found or found[2].upper() not in _UNITS:
        return float("inf")
    return float(found[1]) * _UNITS[found[2].upper()]
