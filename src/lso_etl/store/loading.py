"""Writing crawl results into the warehouse: idempotent on the article id, history kept.

A batch is one transaction. New articles are inserted; a changed one (new content hash) gets
a new version and its previous version is closed; an unchanged one only has its fetch time
bumped; every loaded article gets its derived rows (`derived`). What each item becomes is
decided first, in pure code (`load_plan`); the writes are then a fixed handful of set-based
statements per batch, whatever its size, because DuckDB pays per statement, not per row.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import replace
from datetime import UTC, datetime

import duckdb

from lso_etl.models import CrawlItem, FetchResult, UrlOutcome
from lso_etl.store.catalog import has_table
from lso_etl.store.crawl_state.archive_known import stamp_provenance
from lso_etl.store.derived import write_derived
from lso_etl.store.history import record_parses, stored_records, write_versions
from lso_etl.store.load_plan import Stored, Write, plan_batch
from lso_etl.store.partial import write_partials


def record_outcomes(
    con: duckdb.DuckDBPyConnection, run_id: str, outcomes: Sequence[UrlOutcome]
) -> None:
    if not outcomes:
        return
    con.execute(
        "insert into url_outcomes select $run, unnest($urls), unnest($ids::varchar[]),"
        " unnest($outcomes), unnest($details::varchar[]), unnest($found_by::varchar[]), $now",
        {"run": run_id, "urls": [o.url for o in outcomes], "ids": [o.article_id for o in outcomes],
         "outcomes": [o.outcome.value for o in outcomes], "details": [o.detail for o in outcomes],
         "found_by": [o.found_by for o in outcomes], "now": datetime.now(UTC)},
    )  # fmt: skip


def load_batch(
    con: duckdb.DuckDBPyConnection, run_id: str, items: Sequence[CrawlItem]
) -> list[UrlOutcome]:
    """Write one batch in one transaction; returns each item's terminal outcome."""
    with transaction(con):
        return write_batch(con, run_id, items)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    con.execute("begin")
    try:
        yield
        con.execute("commit")
    except BaseException:
        # A half-written batch would break the idempotence. A commit that failed has ended the
        # transaction already: its error is the one to see, not "no transaction is active".
        with suppress(duckdb.TransactionException):
            con.execute("rollback")
        raise


def write_batch(
    con: duckdb.DuckDBPyConnection, run_id: str, items: Sequence[CrawlItem]
) -> list[UrlOutcome]:
    """`load_batch` inside the caller's transaction (which may hold more of the batch's rows)."""
    ids = [i.parsed.article.article_id for i in items if i.parsed and i.parsed.article]
    batch = plan_batch(items, _stored(con, ids))
    _write_quarantine(con, run_id, batch.quarantined)
    write_articles(con, run_id, batch.writes)
    _stamp(con, "articles", "last_fetched_at", batch.unchanged)  # seen again, unchanged
    record_parses(con, run_id, batch.parses, batch.reread)  # every parse, unchanged ones too
    record_fetches(con, run_id, [item.fetched for item in items])
    stamp_provenance(con, run_id, items)  # pages read from a web archive name their capture
    write_partials(con, run_id, items)  # what discovery saw of pages robots.txt forbids
    record_outcomes(con, run_id, batch.outcomes)
    if batch.quarantined:
        link_archive(con, run_id, [i.fetched.ref.article_id for i in batch.quarantined])
    return batch.outcomes


def _stored(con: duckdb.DuckDBPyConnection, ids: Sequence[str]) -> dict[str, Stored]:
    if not ids:
        return {}
    return stored_records(con, ids)


def _write_quarantine(
    con: duckdb.DuckDBPyConnection, run_id: str, items: Sequence[CrawlItem]
) -> None:
    rows = []
    for item in items:
        ref, page, parsed = item.fetched.ref, item.fetched.page, item.parsed
        assert page is not None and parsed is not None  # plan_batch quarantines parsed pages only
        reason, _, detail = (parsed.reason or "unknown").partition(": ")
        rows.append((ref.url, ref.article_id, run_id, reason, detail or None, page.status,
                     json.dumps(page.headers), page.content, _sha256(page.content),
                     page.fetched_at))  # fmt: skip
    if rows:
        con.executemany(
            "insert into quarantine (url, article_id, run_id, stage, reason, detail, status,"
            " headers, raw_content, sha256, fetched_at) values (?, ?, ?, 'parse', ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


def _stamp(
    con: duckdb.DuckDBPyConnection,
    table: str,
    column: str,
    times: Mapping[str, datetime],
    only: str = "true",
) -> None:
    """Set `column` of each article id's rows in `table` (where `only` holds) to its time."""
    if times:
        con.execute(
            f"update {table} set {column} = stamp.at from"
            " (select unnest($1) as id, unnest($2::timestamptz[]) as at) as stamp"
            f" where {table}.article_id = stamp.id and {only}",
            [list(times), list(times.values())],
        )


def record_fetches(
    con: duckdb.DuckDBPyConnection, run_id: str, fetched: Sequence[FetchResult]
) -> None:
    """One `fetches` row per candidate that was fetched (or refused), with its HTTP outcome."""
    rows: list[tuple[object, ...]] = []
    for f in fetched:
        page = f.page
        outcome = f.outcome.value if f.outcome else None
        if page is None:
            rows.append((run_id, f.ref.url, None, f.ref.article_id, f.status, outcome, f.detail,
                         f.requests, None, None, None, None))  # fmt: skip
            continue
        content_type = next(
            (v for k, v in page.headers.items() if k.lower() == "content-type"), None
        )
        rows.append((run_id, page.requested_url, page.url, f.ref.article_id, page.status, outcome,
                     f.detail, f.requests, len(page.content), _sha256(page.content),
                     content_type, page.fetched_at))  # fmt: skip
    if rows:
        # One statement for the batch: DuckDB pays per statement, not per row.
        columns = [list(column) for column in zip(*rows, strict=True)]
        con.execute(
            "insert into fetches (run_id, url, final_url, article_id, status, outcome, detail,"
            " requests, bytes, sha256, content_type, fetched_at) select "
            + ", ".join(f"unnest(${n + 1})" for n in range(len(columns))),
            columns,
        )


def link_archive(con: duckdb.DuckDBPyConnection, run_id: str, article_ids: Sequence[str]) -> None:
    """Point the run's quarantined pages (of these articles) at their response in the raw archive.

    The archive index (`archive_records`, written by the crawl step before the batch is
    loaded) holds the same body under the same article id, in this run or, for a page
    reparsed from the archive, an earlier one. `archive_index.link_fetches` does the same
    for `fetches`. Without that table (a warehouse migrated only part of the way) the
    pointers stay null.
    """
    if not has_table(con, "archive_records"):
        return
    con.execute(
        "update quarantine set warc_file = r.warc_file, warc_offset = r.warc_offset"
        " from (select distinct on (article_id, sha256) article_id, sha256, warc_file,"
        " warc_offset from archive_records where article_id in (select unnest($ids))"
        " order by article_id, sha256, fetched_at desc) as r"
        " where quarantine.run_id = $run and quarantine.warc_file is null"
        " and quarantine.article_id = r.article_id and quarantine.sha256 = r.sha256",
        {"run": run_id, "ids": list(article_ids)},
    )


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


# Named, not positional: later migrations add columns (0120: where a version was read).
_ARTICLE_COLUMNS = (
    "article_id, url, headline, sapo, dateline, body, authors, source, captions, images,"
    " published_at, modified_at, section, tags, layout, provenance, word_count, content_hash,"
    " parser_version, first_seen_at, last_fetched_at, version, run_id, subsection"
)


def write_articles(con: duckdb.DuckDBPyConnection, run_id: str, writes: Sequence[Write]) -> None:
    """Store new versions: close the open ones they replace, replace the current rows, keep
    history in article_versions, and rewrite the derived rows (authors, search).

    An article with several versions in one batch (rare) is written in rounds, one version per
    round, so each version passes through `articles` and is copied whole into the history."""
    rounds: list[list[Write]] = []
    seen: Counter[str] = Counter()
    for write in writes:
        earlier = seen[write.article.article_id]
        seen[write.article.article_id] += 1
        if earlier == len(rounds):
            rounds.append([])
        rounds[earlier].append(replace(write, replaces=write.replaces or earlier > 0))
    for one_round in rounds:
        _write_round(con, run_id, one_round)
    newest = {w.article.article_id: w.article for w in writes}
    fresh = not any(w.replaces for w in writes)  # no stored article: no derived rows to drop
    write_derived(con, [(a.article_id, a.authors) for a in newest.values()], fresh=fresh)


def _write_round(con: duckdb.DuckDBPyConnection, run_id: str, writes: Sequence[Write]) -> None:
    replaced = {w.article.article_id: w.fetched_at for w in writes if w.replaces}
    _stamp(con, "article_versions", "valid_to", replaced, only="valid_to is null")
    current = list({w.article.article_id: w for w in writes}.values())  # the newest per id
    articles = [w.article for w in current]
    if replaced:  # delete + insert: `insert or replace` costs twice as much on every row
        con.execute("delete from articles where article_id in (select unnest(?))", [list(replaced)])
    con.execute(
        f"insert into articles ({_ARTICLE_COLUMNS})"
        " select id, url, headline, sapo, dateline, body, authors, source, captions,"
        " images::json::struct(src varchar, caption varchar)[], published_at, modified_at,"
        " section, tags, layout, map(rule_keys, rule_values), word_count, content_hash,"
        " parser_version, first_seen, fetched_at, version, $run, subsection from (select"
        " unnest($ids) as id, unnest($urls) as url, unnest($headlines) as headline,"
        " unnest($sapos::varchar[]) as sapo, unnest($datelines::varchar[]) as dateline,"
        " unnest($bodies) as body, unnest($authors::varchar[][]) as authors,"
        " unnest($sources::varchar[]) as source, unnest($captions::varchar[][]) as captions,"
        " unnest($images) as images, unnest($published::timestamptz[]) as published_at,"
        " unnest($modified::timestamptz[]) as modified_at,"
        " unnest($sections::varchar[]) as section, unnest($tags::varchar[][]) as tags,"
        " unnest($layouts) as layout, unnest($rule_keys::varchar[][]) as rule_keys,"
        " unnest($rule_values::varchar[][]) as rule_values, unnest($words) as word_count,"
        " unnest($hashes) as content_hash, unnest($parsers) as parser_version,"
        " unnest($first_seen::timestamptz[]) as first_seen,"
        " unnest($fetched::timestamptz[]) as fetched_at, unnest($versions) as version,"
        " unnest($subsections::varchar[]) as subsection)",
        {
            "run": run_id,
            "ids": [a.article_id for a in articles],
            "urls": [a.url for a in articles],
            "headlines": [a.headline for a in articles],
            "sapos": [a.sapo for a in articles],
            "datelines": [a.dateline for a in articles],
            "bodies": [a.body for a in articles],
            "authors": [list(a.authors) for a in articles],
            "sources": [a.source for a in articles],
            "captions": [list(a.captions) for a in articles],
            "images": [
                json.dumps([{"src": src, "caption": caption} for src, caption in a.images])
                for a in articles
            ],
            "published": [a.published_at for a in articles],
            "modified": [a.modified_at for a in articles],
            "sections": [a.section for a in articles],
            "tags": [list(a.tags) for a in articles],
            "layouts": [a.layout for a in articles],
            "rule_keys": [list(a.provenance) for a in articles],
            "rule_values": [list(a.provenance.values()) for a in articles],
            "words": [a.word_count for a in articles],
            "hashes": [a.content_hash for a in articles],
            "parsers": [a.parser_version for a in articles],
            "first_seen": [w.first_seen_at for w in current],
            "fetched": [w.fetched_at for w in current],
            "versions": [w.version for w in current],
            "subsections": [a.subsection for a in articles],
        },
    )
    write_versions(con, [a.article_id for a in articles])
