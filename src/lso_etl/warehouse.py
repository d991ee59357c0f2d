"""DuckDB warehouse: migrations, idempotent loads on the article id, runs, outcomes, quarantine.

DuckDB lets one process hold a file at a time (even read-only), so connections are opened
per batch and closed at once, and a lock held by someone else is waited for, then reported.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import duckdb

from lso_etl.errors import UserError
from lso_etl.models import Article, CrawlItem, Outcome, RunCounts, Status, UrlOutcome

log = logging.getLogger(__name__)

WAREHOUSE_DIR = Path(__file__).resolve().parents[2] / "warehouse"
TIME_ZONE = "Asia/Ho_Chi_Minh"


class WarehouseBusy(UserError):
    """Another process holds the DuckDB file (an analyst's notebook, another run)."""


@contextmanager
def connect(
    path: Path, read_only: bool = False, wait_seconds: float = 30.0
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived connection; waits for another process's lock, then fails with a clear message."""
    if read_only and not path.exists():
        raise FileNotFoundError(f"no warehouse at {path}: run `lso-etl demo` or a backfill first")
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            # A missing extension must fail at once, not hang trying the network.
            config: dict[str, str | bool | int | float | list[str]] = {
                "autoinstall_known_extensions": False
            }
            con = duckdb.connect(str(path), read_only=read_only, config=config)
            break
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                raise WarehouseBusy(
                    f"{path} is held open by another process (a notebook or another run?); "
                    "close it, or read a snapshot instead"
                ) from exc
            log.warning("%s is locked by another process; waiting", path)
            time.sleep(1.0)
    try:
        con.execute(f"set TimeZone = '{TIME_ZONE}'")
        yield con
    finally:
        con.close()


def migrate(con: duckdb.DuckDBPyConnection, root: Path = WAREHOUSE_DIR) -> list[str]:
    """Apply new numbered migrations in order, then re-create every view. Returns what was applied."""
    con.execute(
        "create table if not exists schema_migrations"
        " (name varchar primary key, applied_at timestamptz not null)"
    )
    done = {row[0] for row in con.execute("select name from schema_migrations").fetchall()}
    applied = []
    for script in sorted((root / "migrations").glob("*.sql")):
        if script.name in done:
            continue
        con.execute("begin")
        con.execute(script.read_text(encoding="utf-8"))
        con.execute("insert into schema_migrations values (?, now())", [script.name])
        con.execute("commit")
        applied.append(script.name)
    for view in sorted((root / "views").glob("*.sql")):
        con.execute(view.read_text(encoding="utf-8"))
    return applied


def start_run(
    con: duckdb.DuckDBPyConnection,
    flow: str,
    parameters: dict[str, Any],
    base_url: str,
    respect_robots: bool,
    parser_version: str,
) -> str:
    run_id = uuid.uuid4().hex[:12]
    con.execute(
        "insert into runs (run_id, flow, parameters, base_url, respect_robots, parser_version,"
        " started_at, status) values (?, ?, ?, ?, ?, ?, ?, 'running')",
        [run_id, flow, json.dumps(parameters, default=str), base_url, respect_robots,
         parser_version, datetime.now(UTC)],
    )  # fmt: skip
    return run_id


def finish_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    status: str,
    counts: RunCounts,
    requests: int,
    bytes_fetched: int,
) -> None:
    con.execute(
        "update runs set finished_at = ?, status = ?, counts = map(?, ?), requests = ?,"
        " bytes_fetched = ? where run_id = ?",
        [datetime.now(UTC), status, list(counts.counts), list(counts.counts.values()),
         requests, bytes_fetched, run_id],
    )  # fmt: skip


class MixedOrigins(UserError):
    """The replay site's synthetic articles and real ones would share ids in one warehouse."""


def is_local(base_url: str) -> bool:
    return urlsplit(base_url).hostname in {"127.0.0.1", "localhost", "::1"}


def refuse_mixed_origins(con: duckdb.DuckDBPyConnection, base_url: str) -> None:
    """Refuse to write replay data into a warehouse of real data, or the other way round."""
    urls = [row[0] for row in con.execute("select distinct base_url from runs").fetchall()]
    other = [u for u in urls if is_local(u) != is_local(base_url)]
    if other:
        raise MixedOrigins(
            f"this warehouse holds runs against {other[0]}, and this run targets {base_url}: "
            "replay and live data must not mix; pass another --db"
        )


def known_ids(con: duckdb.DuckDBPyConnection, article_ids: Sequence[str]) -> set[str]:
    if not article_ids:
        return set()
    rows = con.execute(
        "select article_id from articles where article_id in (select unnest(?))",
        [list(article_ids)],
    ).fetchall()
    return {row[0] for row in rows}


def high_water_mark(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """The newest publish time in the warehouse: where the daily run picks up."""
    row = con.execute("select max(published_at) from articles").fetchone()
    return row[0] if row else None


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
    for item in items:
        outcomes.append(_load_one(con, run_id, item, stored))
    record_outcomes(con, run_id, outcomes)
    con.execute("commit")
    return outcomes


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
        con.execute(
            "insert into quarantine values (?, ?, ?, 'parse', ?, ?, ?, ?, ?)",
            [ref.url, ref.article_id, run_id, parsed.reason or "unknown", page.status,
             json.dumps(page.headers), page.content, page.fetched_at],
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
    _upsert_article(con, run_id, article, page.fetched_at, is_new=previous is None)
    detail = "new" if previous is None else "updated"
    return UrlOutcome(ref.url, article.article_id, Outcome.LOADED, detail, ref.found_by)


_ARTICLE_COLUMNS = (
    "article_id, url, headline, sapo, dateline, body, authors, source, captions, images,"
    " published_at, modified_at, section, tags, layout, provenance, word_count, content_hash,"
    " parser_version, first_seen_at, last_fetched_at, version, run_id"
)


def _upsert_article(
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
