"""Writing crawl results into the warehouse: idempotent on the article id, history kept.

A batch is one transaction. New articles are inserted; a changed one (new content hash) gets
a new version and its previous version is closed; an unchanged one only has its fetch time
bumped. Every loaded article also gets its derived rows: authors with an identity key, the
folded search shadow and its postings (so the built-in search is current after every load).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime

import duckdb

from lso_etl.models import Article, CrawlItem, FetchResult, Outcome, Status, UrlOutcome
from lso_etl.textnorm import tone_key, words


def record_outcomes(
    con: duckdb.DuckDBPyConnection, run_id: str, outcomes: Sequence[UrlOutcome]
) -> None:
    if not outcomes:
        return
    now = datetime.now(UTC)
    con.executemany(
        "insert into url_outcomes values (?, ?, ?, ?, ?, ?, ?)",
        [[run_id, o.url, o.article_id, o.outcome.value, o.detail, o.found_by, now]
         for o in outcomes],
    )  # fmt: skip


def load_batch(
    con: duckdb.DuckDBPyConnection, run_id: str, items: Sequence[CrawlItem]
) -> list[UrlOutcome]:
    """Write one batch in one transaction; returns each item's terminal outcome."""
    ids = [i.parsed.article.article_id for i in items if i.parsed and i.parsed.article]
    stored = dict(
        con.execute(
            "select article_id, content_hash from articles where article_id in (select unnest(?))",
            [ids],
        ).fetchall()
    ) if ids else {}  # fmt: skip
    outcomes = []
    con.execute("begin")
    try:
        for item in items:
            outcomes.append(_load_one(con, run_id, item, stored))
        record_fetches(con, run_id, [item.fetched for item in items])
        record_outcomes(con, run_id, outcomes)
        link_archive(con, run_id)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")  # a half-written batch would break the idempotence
        raise
    return outcomes


def record_fetches(
    con: duckdb.DuckDBPyConnection, run_id: str, fetched: Sequence[FetchResult]
) -> None:
    """One `fetches` row per candidate that was fetched (or refused), with its HTTP outcome."""
    rows: list[tuple[object, ...]] = []
    for f in fetched:
        page = f.page
        outcome = f.outcome.value if f.outcome else None
        if page is None:
            rows.append((run_id, f.ref.url, None, f.ref.article_id, None, outcome, f.detail,
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


_ARCHIVE_COLUMNS = {"article_id", "sha256", "status", "fetched_at", "warc_file", "warc_offset"}


def link_archive(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Point the run's quarantined pages at their response in the raw archive.

    The archive index (`archive_records`, written by the crawl step before the batch is
    loaded) holds the same body under the same article id, in this run or, for a page
    reparsed from the archive, an earlier one. `archive_index.link_fetches` does the same
    for `fetches`. Without that table the pointers stay null.
    """
    found = con.execute(
        "select column_name from duckdb_columns() where table_name = 'archive_records'"
        " and schema_name = 'main' and database_name = current_database()"
    ).fetchall()
    if not {row[0] for row in found}.issuperset(_ARCHIVE_COLUMNS):
        return
    con.execute(
        "update quarantine set warc_file = r.warc_file, warc_offset = r.warc_offset"
        " from (select distinct on (article_id, sha256) article_id, sha256, warc_file,"
        " warc_offset from archive_records order by article_id, sha256, fetched_at desc) as r"
        " where quarantine.run_id = $run and quarantine.warc_file is null"
        " and quarantine.article_id = r.article_id and quarantine.sha256 = r.sha256",
        {"run": run_id},
    )


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _load_one(
    con: duckdb.DuckDBPyConnection, run_id: str, item: CrawlItem, stored: dict[str, str]
) -> UrlOutcome:
    ref, page, parsed = item.fetched.ref, item.fetched.page, item.parsed
    if parsed is None or page is None:
        outcome = item.fetched.outcome or Outcome.GAVE_UP
        return UrlOutcome(ref.url, ref.article_id, outcome, item.fetched.detail, ref.found_by)
    if parsed.status is Status.NOT_ARTICLE:
        return UrlOutcome(ref.url, ref.article_id, Outcome.NOT_ARTICLE, parsed.reason, ref.found_by)
    if parsed.status is Status.FAILED or parsed.article is None:
        reason, _, detail = (parsed.reason or "unknown").partition(": ")
        con.execute(
            "insert into quarantine (url, article_id, run_id, stage, reason, detail, status,"
            " headers, raw_content, sha256, fetched_at) values (?, ?, ?, 'parse', ?, ?, ?, ?, ?, ?, ?)",
            [ref.url, ref.article_id, run_id, reason, detail or None, page.status,
             json.dumps(page.headers), page.content, _sha256(page.content), page.fetched_at],
        )  # fmt: skip
        return UrlOutcome(ref.url, ref.article_id, Outcome.QUARANTINED, parsed.reason, ref.found_by)
    article = parsed.article
    previous = stored.get(article.article_id)
    if previous == article.content_hash:
        con.execute(
            "update articles set last_fetched_at = ? where article_id = ?",
            [page.fetched_at, article.article_id],
        )
        return UrlOutcome(ref.url, article.article_id, Outcome.UNCHANGED, None, ref.found_by)
    upsert_article(con, run_id, article, page.fetched_at, is_new=previous is None)
    stored[article.article_id] = article.content_hash  # the same page twice in one batch
    detail = "new" if previous is None else "updated"
    return UrlOutcome(ref.url, article.article_id, Outcome.LOADED, detail, ref.found_by)


_ARTICLE_COLUMNS = (
    "article_id, url, headline, sapo, dateline, body, authors, source, captions, images,"
    " published_at, modified_at, section, tags, layout, provenance, word_count, content_hash,"
    " parser_version, first_seen_at, last_fetched_at, version, run_id"
)


def upsert_article(
    con: duckdb.DuckDBPyConnection, run_id: str, a: Article, fetched_at: datetime, is_new: bool
) -> None:
    """Insert a new article or replace a changed one, keeping its history in article_versions."""
    version = 1
    first_seen = fetched_at
    if not is_new:
        row = con.execute(
            "select version, first_seen_at from articles where article_id = ?", [a.article_id]
        ).fetchone()
        assert row is not None  # is_new is False only when the id was just read from articles
        version, first_seen = row[0] + 1, row[1]
        con.execute(
            "update article_versions set valid_to = ? where article_id = ? and valid_to is null",
            [fetched_at, a.article_id],
        )
    images = [{"src": src, "caption": caption} for src, caption in a.images]
    con.execute(
        f"insert or replace into articles ({_ARTICLE_COLUMNS}) values"
        " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, map(?, ?), ?, ?, ?, ?, ?, ?, ?)",
        [a.article_id, a.url, a.headline, a.sapo, a.dateline, a.body, list(a.authors), a.source,
         list(a.captions), images, a.published_at, a.modified_at, a.section, list(a.tags),
         a.layout, list(a.provenance), list(a.provenance.values()), a.word_count,
         a.content_hash, a.parser_version, first_seen, fetched_at, version, run_id],
    )  # fmt: skip
    con.execute(
        "insert into article_versions values (?, ?, ?, ?, ?, ?, ?, null, ?)",
        [a.article_id, version, a.content_hash, a.headline, a.sapo, a.body, fetched_at, run_id],
    )
    write_derived(con, a.article_id, a.authors, search_text(a.headline, a.sapo, a.body))


def search_text(headline: str, sapo: str | None, body: str) -> str:
    """What search reads of an article: headline, lead and body."""
    return "\n".join(part for part in (headline, sapo, body) if part)


def write_derived(
    con: duckdb.DuckDBPyConnection, article_id: str, authors: Sequence[str], text: str
) -> None:
    """Replace an article's author rows, search shadow and postings."""
    con.execute("delete from article_authors where article_id = ?", [article_id])
    if authors:
        con.execute(
            "insert into article_authors select ?, unnest(range(1, ? + 1)), unnest(?), unnest(?)",
            [article_id, len(authors), list(authors), [tone_key(name) for name in authors]],
        )
    tokens = words(text)
    counts = Counter(tokens)
    con.execute("delete from search_terms where article_id = ?", [article_id])
    con.execute(
        "insert or replace into article_search values (?, ?, ?, now())",
        [article_id, " ".join(tokens), len(tokens)],
    )
    if counts:
        con.execute(
            "insert into search_terms select unnest(?), ?, unnest(?), ?",
            [list(counts), article_id, list(counts.values()), len(tokens)],
        )


def backfill_derived(con: duckdb.DuckDBPyConnection) -> int:
    """Derived rows for articles loaded before they existed (a warehouse from migration 0001)."""
    exists = con.execute(
        "select count(*) from duckdb_tables() where table_name = 'article_search'"
        " and schema_name = 'main' and database_name = current_database()"
    ).fetchone()
    if not exists or not exists[0]:
        return 0  # migrated only part of the way (a test's partial migration folder)
    rows = con.execute(
        "select article_id, authors, headline, sapo, body from articles"
        " anti join article_search using (article_id)"
    ).fetchall()
    for article_id, authors, headline, sapo, body in rows:
        write_derived(con, article_id, authors, search_text(headline, sapo, body))
    return len(rows)
