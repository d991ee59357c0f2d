"""Crawl state across runs: the frontier (one row per candidate article) and the discovery cache.

States: `pending` (discovered, not fetched), `archived` (its response is in the raw archive,
not yet loaded), `done` (a final outcome: never requested again by a backfill), `retry`
(gave up; a later run tries again after `next_try`), `blocked` (robots.txt said no: checked
again every run, at no cost, in case robots.txt or the operator's setting changed).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import duckdb

from lso_etl.models import ArticleRef, Document, Outcome, UrlOutcome

FINAL = frozenset({Outcome.LOADED, Outcome.UNCHANGED, Outcome.NOT_ARTICLE, Outcome.QUARANTINED,
                   Outcome.HTTP_ERROR})  # fmt: skip


@dataclass(frozen=True)
class State:
    state: str
    attempts: int
    next_try: datetime | None
    last_outcome: str | None


def state_for(outcome: Outcome) -> str:
    if outcome in FINAL:
        return "done"
    if outcome is Outcome.GAVE_UP:
        return "retry"
    if outcome is Outcome.ROBOTS_DISALLOWED:
        return "blocked"
    return "done"  # skipped: already stored


def enqueue(con: duckdb.DuckDBPyConnection, refs: Sequence[ArticleRef], run_id: str) -> None:
    """Add newly discovered candidates as `pending`; known ones keep their state."""
    if not refs:
        return
    con.execute(
        "insert into frontier (article_id, url, seen_date, found_by, state, attempts,"
        " last_run_id, updated_at)"
        " select unnest($1), unnest($2), unnest($3), unnest($4), 'pending', 0, $5, $6"
        " on conflict do nothing",
        [[r.article_id for r in refs], [r.url for r in refs], [r.seen_date for r in refs],
         [r.found_by for r in refs], run_id, datetime.now(UTC)],
    )  # fmt: skip


def states(con: duckdb.DuckDBPyConnection, article_ids: Sequence[str]) -> dict[str, State]:
    if not article_ids:
        return {}
    rows = con.execute(
        "select article_id, state, attempts, next_try, last_outcome from frontier"
        " where article_id in (select unnest(?))",
        [list(article_ids)],
    ).fetchall()
    return {row[0]: State(row[1], row[2], row[3], row[4]) for row in rows}


def mark_archived(con: duckdb.DuckDBPyConnection, article_ids: Sequence[str], run_id: str) -> None:
    """Fetched and archived, not loaded yet (what a run killed before its load leaves behind)."""
    if article_ids:
        con.execute(
            "update frontier set state = 'archived', last_run_id = ?, updated_at = ?"
            " where article_id in (select unnest(?)) and state in ('pending', 'retry', 'blocked')",
            [run_id, datetime.now(UTC), list(article_ids)],
        )


def mark(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    outcomes: Sequence[UrlOutcome],
    attempts: Mapping[str, int],
    retry_after: float,
) -> None:
    """Record each URL's terminal outcome of this run.

    `skipped` (already in the warehouse) never overwrites a final outcome; it only settles a
    row a killed run left `pending` or `archived` after its article had been loaded.
    """
    latest = {o.article_id: o for o in outcomes}  # one row per id: DuckDB updates a row once
    now = datetime.now(UTC)
    for skipped in (False, True):
        rows = [o for o in latest.values() if (o.outcome is Outcome.SKIPPED) is skipped]
        if not rows:
            continue
        retry_at = now + timedelta(seconds=retry_after)
        con.execute(
            _SKIPPED_UPSERT if skipped else _UPSERT,
            [[o.article_id for o in rows], [o.url for o in rows], [o.found_by for o in rows],
             [state_for(o.outcome) for o in rows], [attempts.get(o.article_id, 0) for o in rows],
             [retry_at if o.outcome is Outcome.GAVE_UP else None for o in rows],
             ["loaded" if skipped else o.outcome.value for o in rows], [o.detail for o in rows],
             run_id, now],
        )  # fmt: skip


_INSERT = """
    insert into frontier (article_id, url, found_by, state, attempts, next_try, last_outcome,
                          last_detail, last_run_id, updated_at)
    select unnest($1), unnest($2), unnest($3), unnest($4), unnest($5), unnest($6), unnest($7),
           unnest($8), $9, $10
    on conflict (article_id) do update set
"""
_UPSERT = (
    _INSERT
    + """
        state = excluded.state,
        attempts = frontier.attempts + excluded.attempts,
        -- a URL whose next try is still ahead was not tried: its date must not move later
        next_try = case when frontier.next_try > excluded.updated_at then frontier.next_try
                        else excluded.next_try end,
        last_outcome = excluded.last_outcome,
        last_detail = excluded.last_detail,
        last_run_id = excluded.last_run_id,
        updated_at = excluded.updated_at
"""
)
_SKIPPED_UPSERT = (
    _INSERT
    + """
        state = 'done',
        last_outcome = case when frontier.state = 'done' then frontier.last_outcome
                            else 'loaded' end,
        last_detail = case when frontier.state = 'done' then frontier.last_detail
                           else 'loaded before an interrupted run recorded it' end,
        updated_at = excluded.updated_at
"""
)


# --- discovery documents -----------------------------------------------------------------------
def load_documents(con: duckdb.DuckDBPyConnection) -> dict[str, Document]:
    rows = con.execute(
        "select url, etag, last_modified, children, pages from discovery_cache"
    ).fetchall()
    return {
        url: Document(url, etag, modified, _entries(children), _entries(pages))
        for url, etag, modified, children, pages in rows
    }


def save_documents(con: duckdb.DuckDBPyConnection, documents: Iterable[Document]) -> None:
    docs = {d.url: d for d in documents}
    if not docs:
        return
    con.execute(
        "insert or replace into discovery_cache"
        " select unnest($1), unnest($2), unnest($3), unnest($4)::json, unnest($5)::json, $6",
        [list(docs), [d.etag for d in docs.values()], [d.last_modified for d in docs.values()],
         [_dump(d.children) for d in docs.values()], [_dump(d.pages) for d in docs.values()],
         datetime.now(UTC)],
    )  # fmt: skip


def _dump(entries: Iterable[tuple[str, date | None]]) -> str:
    return json.dumps([[url, day.isoformat() if day else None] for url, day in entries])


def _entries(raw: str) -> tuple[tuple[str, date | None], ...]:
    return tuple((url, date.fromisoformat(day) if day else None) for url, day in json.loads(raw))
