"""Partial records (issue 15): what discovery saw of an article whose page robots.txt forbids.

Kept with layout and status `partial`, an empty body and the date discovery gave (at midnight,
site time), so analysts see the article exists (data_quality counts the `partial` layout, stats
counts them) and never mistake it for a read one. A later full copy, from an archive or the
site, is a new version of the same article id: it replaces the partial row like any edit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import duckdb

from lso_etl.models import CrawlItem, Outcome

SITE_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PARTIAL = "partial"


def write_partials(con: duckdb.DuckDBPyConnection, run_id: str, items: Sequence[CrawlItem]) -> None:
    """A partial record for each article of the batch that robots.txt kept us from reading,
    unless the warehouse already holds the article (partial or whole)."""
    refs = {
        i.fetched.ref.article_id: i.fetched.ref
        for i in items
        if i.fetched.outcome is Outcome.ROBOTS_DISALLOWED and not i.fetched.ref.captures
    }
    if not refs:
        return
    held = {
        row[0]
        for row in con.execute(
            "select article_id from articles where article_id in (select unnest(?))", [list(refs)]
        ).fetchall()
    }
    now = datetime.now(UTC)
    rows = [
        (ref.article_id, ref.url, ref.headline or "", ref.lead,
         datetime.combine(ref.seen_date, time.min, SITE_TZ) if ref.seen_date else None,
         f"{PARTIAL}:{ref.article_id}", ref.found_by, now, run_id)
        for ref in refs.values() if ref.article_id not in held
    ]  # fmt: skip
    if not rows:
        return
    columns = [list(column) for column in zip(*rows, strict=True)]
    con.execute(
        "insert into articles (article_id, url, headline, sapo, body, authors, captions, images,"
        " published_at, tags, layout, provenance, word_count, content_hash, parser_version,"
        " first_seen_at, last_fetched_at, version, run_id, status)"
        " select id, url, headline, sapo, '', [], [], [], published, [], 'partial',"
        " map(['published_at'], ['discovery:' || found_by]), 0, record_hash, 'discovery', seen_at, seen_at, 1,"
        " run_ref, 'partial' from (select unnest($1) as id, unnest($2) as url,"
        " unnest($3) as headline, unnest($4::varchar[]) as sapo,"
        " unnest($5::timestamptz[]) as published, unnest($6) as record_hash, unnest($7) as found_by,"
        " unnest($8::timestamptz[]) as seen_at, unnest($9) as run_ref)",
        columns,
    )
    con.execute(
        "insert into article_versions (article_id, version, content_hash, headline, sapo, body,"
        " valid_from, valid_to, run_id) select article_id, 1, content_hash, headline, sapo, body,"
        " first_seen_at, null, run_id from articles where article_id in (select unnest(?))",
        [columns[0]],
    )
