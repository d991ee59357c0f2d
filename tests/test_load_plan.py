"""Loading a batch as set-based statements: what each item becomes is planned first (pure), and
one batch must leave the warehouse exactly as loading its items one batch at a time would."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from lso_etl.models import CrawlItem, Outcome, ParseResult, Status
from lso_etl.store import warehouse
from lso_etl.store.load_plan import Stored, plan_batch
from tests.test_warehouse import _article, _item, _run

T0 = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


def _at(item: CrawlItem, minutes: int) -> CrawlItem:
    """The same item fetched `minutes` after T0 (versions are ordered by fetch time)."""
    page = item.fetched.page
    assert page is not None
    fetched = replace(item.fetched, page=replace(page, fetched_at=T0 + timedelta(minutes=minutes)))
    return replace(item, fetched=fetched)


V1 = ParseResult(Status.OK, article=_article())
V2 = ParseResult(Status.OK, article=_article(body="Đoạn một, đã sửa.", content_hash="b" * 64))
OTHER = ParseResult(
    Status.OK,
    article=_article(article_id="new:5012346", authors=("Thu Hà",), content_hash="c" * 64),
)
BROKEN = ParseResult(Status.FAILED, reason="no_body: the body selector matched nothing")


def test_plan_of_a_new_article_seen_twice_then_edited_within_one_batch() -> None:
    items = [_at(_item(V1), 0), _at(_item(V1), 1), _at(_item(V2), 2)]
    plan = plan_batch(items, {})
    assert [(o.outcome, o.detail) for o in plan.outcomes] == [
        (Outcome.LOADED, "new"),
        (Outcome.UNCHANGED, None),
        (Outcome.LOADED, "updated"),
    ]
    first, second = plan.writes
    assert (first.version, first.replaces, first.valid_to) == (1, False, T0 + timedelta(minutes=2))
    assert (second.version, second.replaces, second.valid_to) == (2, False, None)
    assert second.first_seen_at == T0  # first seen is kept across versions
    assert plan.unchanged == {"new:5012345": T0 + timedelta(minutes=1)}


def test_plan_against_stored_versions_and_failures() -> None:
    stored = {"new:5012345": Stored("a" * 64, 3, T0 - timedelta(days=9))}
    items = [_at(_item(V2), 0), _at(_item(BROKEN), 1), _at(_item(V1), 2)]
    plan = plan_batch(items, stored)
    assert [(o.outcome, o.detail) for o in plan.outcomes] == [
        (Outcome.LOADED, "updated"),
        (Outcome.QUARANTINED, BROKEN.reason),
        (Outcome.LOADED, "updated"),  # back to the first text: a new version, not "unchanged"
    ]
    assert [(w.version, w.replaces) for w in plan.writes] == [(4, True), (5, False)]
    assert all(w.first_seen_at == T0 - timedelta(days=9) for w in plan.writes)
    assert [i.parsed for i in plan.quarantined] == [BROKEN]
    assert plan.unchanged == {}


def _dump(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table a load writes, without run ids and load-time clocks."""
    queries = {
        "articles": "select article_id, version, headline, body, authors, images, provenance,"
        " first_seen_at, last_fetched_at from articles order by all",
        "versions": "select article_id, version, content_hash, valid_from, valid_to"
        " from article_versions order by all",
        "authors": "select * from article_authors order by all",
        "search": "select article_id, doc, doc_len from article_search order by all",
        "postings": "select * from search_postings order by all",
        "quarantine": "select article_id, reason, detail from quarantine order by all",
        "outcomes": "select article_id, outcome, detail from url_outcomes order by all",
    }
    with warehouse.connect(db) as con:
        return {name: con.execute(sql).fetchall() for name, sql in queries.items()}


def test_one_batch_equals_one_item_at_a_time(tmp_path: Path) -> None:
    items = [
        _at(_item(V1), 0),
        _at(_item(OTHER), 1),
        _at(_item(V1), 2),
        _at(_item(BROKEN), 3),
        _at(_item(V2), 4),
        _at(_item(V2), 5),
    ]
    together, alone = tmp_path / "together.duckdb", tmp_path / "alone.duckdb"
    with warehouse.connect(together) as con:
        warehouse.migrate(con)
        outcomes = warehouse.load_batch(con, _run(con), items)
    with warehouse.connect(alone) as con:
        warehouse.migrate(con)
        run = _run(con)
        one_by_one = [warehouse.load_batch(con, run, [item])[0] for item in items]
    assert outcomes == one_by_one
    assert [o.outcome for o in outcomes].count(Outcome.LOADED) == 3
    dumped = _dump(together)
    assert dumped == _dump(alone)
    assert [row[:2] for row in dumped["articles"]] == [("new:5012345", 2), ("new:5012346", 1)]
    assert [row[1] for row in dumped["versions"]] == [1, 2, 1]
    assert dumped["postings"] and dumped["authors"]
