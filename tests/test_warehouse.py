"""The DuckDB warehouse on a real file: migrations, idempotent upserts, history, quarantine, locks."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from lso_etl import warehouse
from lso_etl.models import (
    Article,
    ArticleRef,
    CrawlItem,
    FetchResult,
    Outcome,
    ParseResult,
    RawPage,
    Status,
)

URL = "http://127.0.0.1:9/so-noi-vu-so-ket-5012345.html"


def _article(**changes: object) -> Article:
    base = Article(
        article_id="new:5012345",
        url="https://baolangson.vn/so-noi-vu-so-ket-5012345.html",
        headline="Sở Nội vụ sơ kết công tác 6 tháng",
        sapo="Sáng nay, Sở Nội vụ tổ chức hội nghị.",
        dateline="LSO",
        body="Đoạn một.\n\nĐoạn hai.",
        authors=("Minh Đức", "Hoàng Như"),
        source=None,
        captions=("Toàn cảnh hội nghị",),
        published_at=datetime(2017, 7, 26, 15, 47, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
        section="Chính trị",
        layout="current",
        provenance={"headline": "current:h1.name"},
        word_count=12,
        content_hash="a" * 64,
        parser_version="test",
        images=(("https://baolangson.vn/uploads/a.jpg", "Toàn cảnh hội nghị"),),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def _item(parsed: ParseResult, content: bytes = b"<html></html>") -> CrawlItem:
    ref = ArticleRef(URL, "new:5012345", date(2017, 7, 26), "sitemap")
    page = RawPage(URL, URL, 200, {"content-type": "text/html"}, content, datetime.now(UTC))
    return CrawlItem(FetchResult(ref, page=page), parsed)


def _run(con: object, flow: str = "test") -> str:
    return warehouse.start_run(con, flow, {}, "http://127.0.0.1:9", True, "test")  # type: ignore[arg-type]


def test_migrate_is_idempotent_and_tracked(db: Path) -> None:
    with warehouse.connect(db) as con:
        first = warehouse.migrate(con)
        second = warehouse.migrate(con)
        names = [r[0] for r in con.execute("select name from schema_migrations").fetchall()]
    assert first and first[0].startswith("0001_")
    assert second == []
    assert names == first


def test_load_is_idempotent_and_keeps_history_of_edits(db: Path) -> None:
    ok = ParseResult(Status.OK, article=_article())
    edited = ParseResult(
        Status.OK, article=_article(body="Đoạn một, đã sửa.", content_hash="b" * 64)
    )
    with warehouse.connect(db) as con:
        warehouse.migrate(con)
        run = _run(con)
        outcomes = [warehouse.load_batch(con, run, [_item(p)])[0] for p in (ok, ok, edited)]
        rows = con.execute("select version, body, authors, images from articles").fetchall()
        history = con.execute(
            "select version, valid_to is null from article_versions order by version"
        ).fetchall()
    assert [(o.outcome, o.detail) for o in outcomes] == [
        (Outcome.LOADED, "new"),
        (Outcome.UNCHANGED, None),
        (Outcome.LOADED, "updated"),
    ]
    assert rows == [
        (
            2,
            "Đoạn một, đã sửa.",
            ["Minh Đức", "Hoàng Như"],
            [{"src": "https://baolangson.vn/uploads/a.jpg", "caption": "Toàn cảnh hội nghị"}],
        )
    ]
    assert history == [(1, False), (2, True)]


def test_publish_time_is_stored_as_an_instant_and_shown_in_vietnam_time(db: Path) -> None:
    with warehouse.connect(db) as con:
        warehouse.migrate(con)
        warehouse.load_batch(con, _run(con), [_item(ParseResult(Status.OK, article=_article()))])
        shown = con.execute("select published_at::varchar from articles").fetchone()
    assert shown == ("2017-07-26 15:47:00+07",)


def test_a_page_that_fails_to_parse_is_quarantined_with_its_raw_bytes(db: Path) -> None:
    raw = "<html><body>trống</body></html>".encode()
    failed = ParseResult(Status.FAILED, reason="no body container")
    with warehouse.connect(db) as con:
        warehouse.migrate(con)
        outcome = warehouse.load_batch(con, _run(con), [_item(failed, raw)])[0]
        row = con.execute("select reason, raw_content, stage from quarantine").fetchone()
        articles = con.execute("select count(*) from articles").fetchone()
    assert outcome.outcome is Outcome.QUARANTINED
    assert row == ("no body container", raw, "parse")
    assert articles == (0,)


def test_replay_and_live_runs_never_mix_in_one_warehouse(db: Path) -> None:
    with warehouse.connect(db) as con:
        warehouse.migrate(con)
        _run(con)
        warehouse.refuse_mixed_origins(con, "http://127.0.0.1:4444")  # another replay port: fine
        with pytest.raises(warehouse.MixedOrigins, match="must not mix"):
            warehouse.refuse_mixed_origins(con, "https://baolangson.vn")


def test_a_file_held_by_another_process_is_waited_for_then_reported(db: Path) -> None:
    with warehouse.connect(db) as con:
        warehouse.migrate(con)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         f"import duckdb, time; c = duckdb.connect({str(db)!r}, read_only=True); "
         "print('held', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        busy = pytest.raises(warehouse.WarehouseBusy, match="held open by another process")
        with busy, warehouse.connect(db, wait_seconds=2.0):
            pass
        assert time.monotonic() - started >= 2.0
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
