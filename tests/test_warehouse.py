"""The DuckDB warehouse on a real file: migrations, idempotent upserts, history, quarantine, locks."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from lso_etl.models import (
    Article,
    ArticleRef,
    CrawlItem,
    FetchResult,
    Outcome,
    ParseResult,
    RawPage,
    RunCounts,
    Status,
)
from lso_etl.store import checks, warehouse
from lso_etl.store.analyst import search

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
    """A fetched page and its parse, as the crawl step hands it to the loader."""
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
        outcomes = [warehouse.load_batch(con, run, [_item(p)])[0] for p in (ok, ok)]
        twice = _snapshot(con)
        outcomes.append(warehouse.load_batch(con, run, [_item(edited)])[0])
        rows = con.execute("select version, body, authors, images from articles").fetchall()
        found_old = search.search(con, "Đoạn hai").hits
        found_new = search.search(con, "da sua").hits
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
    assert twice == once_loaded()  # the second identical load changed nothing
    assert found_old == [] and [h.article_id for h in found_new] == ["new:5012345"]


def once_loaded() -> dict[str, list[tuple[object, ...]]]:
    """Every table after loading `_article()` once (times blanked)."""
    return {
        "articles": [("new:5012345", 1, "a" * 64)],
        "article_versions": [("new:5012345", 1, None)],
        "article_authors": [
            ("new:5012345", 1, "Minh Đức", "minh duc"),
            ("new:5012345", 2, "Hoàng Như", "hoang nhu"),
        ],
        "search_docs": [("new:5012345", "so noi vu so ket cong tac 6 thang", 26)],
        # 26 words: 9 of the headline, 9 of the lead, 4 of the body, 4 of the caption; 19
        # distinct without accents (one posting each, "so" holding both "Sở" and "sơ").
        "search_postings": [(19, 26)],
        # 22 adjacent pairs (8 + 8 + 3 + 3), of which "sở nội", "nội vụ" and "hội nghị" twice
        "search_pairs": [(19, 22)],
    }


def _snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[object, ...]]]:
    return {
        "articles": con.execute(
            "select article_id, version, content_hash from articles"
        ).fetchall(),
        "article_versions": con.execute(
            "select article_id, version, valid_to from article_versions"
        ).fetchall(),
        "article_authors": con.execute(
            "select * from article_authors order by position"
        ).fetchall(),
        "search_docs": con.execute(
            "select article_id, doc[:33], doc_len from article_search"
        ).fetchall(),
        "search_postings": con.execute(
            "select count(*), sum(len(positions)) from search_postings"
        ).fetchall(),
        "search_pairs": con.execute(
            "select count(*), sum(len(starts)) from search_pairs"
        ).fetchall(),
    }


def test_runs_record_profile_version_and_the_data_checks(db: Path) -> None:
    with warehouse.connect(db) as con:
        warehouse.migrate(con)
        run = _run(con)
        bad = _article(authors=("MINH ĐỨC",), body="", word_count=0)
        warehouse.load_batch(con, run, [_item(ParseResult(Status.OK, article=bad))])
        found = warehouse.finish_run(con, run, "completed", RunCounts({"loaded": 1}), 3, 100)
        row = con.execute(
            "select site_profile, site_profile_version, checks, checks_failed, counts from runs"
        ).fetchone()
    assert row is not None
    assert row[0] == "baolangson.vn" and len(row[1]) == 12
    assert found == row[2]
    assert found["authors_not_title_cased"] == 1 and found["empty_body_in_ok_record"] == 1
    assert row[3] == sum(1 for n in found.values() if n) == 2
    assert row[4] == {"loaded": 1}


def test_every_check_returns_the_rows_that_break_its_rule(db: Path) -> None:
    future = datetime.now(UTC) + timedelta(days=2)
    with warehouse.connect(db) as con:
        warehouse.migrate(con)
        run = _run(con)
        warehouse.load_batch(con, run, [_item(ParseResult(Status.OK, article=_article()))])
        assert {name: n for name, n in checks.run_checks(con).items() if n} == {}
        con.execute("update articles set published_at = ?", [future])
        con.execute("insert into article_versions by name select * replace (2 as version)"
                    " from article_versions")  # fmt: skip
        con.execute("insert into article_authors values ('new:5012345', 3, 'Hoàng như', 'x')")
        found = checks.run_checks(con)
        overlaps = checks.offending_rows(con, "overlapping_versions")
    assert found["published_in_future"] == 1
    assert found["authors_not_title_cased"] == 1
    assert {row[3] for row in overlaps} == {"ranges overlap", "current row is not the open version"}


def test_articles_loaded_before_migration_0002_get_their_search_rows(
    db: Path, tmp_path: Path
) -> None:
    first = tmp_path / "only-0001"
    (first / "migrations").mkdir(parents=True)
    source = warehouse.WAREHOUSE_DIR / "migrations" / "0001_initial.sql"
    (first / "migrations" / source.name).write_text(source.read_text(encoding="utf-8"))
    with warehouse.connect(db) as con:
        warehouse.migrate(con, first)
        con.execute(
            "insert into articles values ('old:1', 'u', 'Hoà Bình', null, null, 'Thân bài.', "
            "['Thuỳ Linh'], null, [], [], null, null, null, [], 'legacy', map(), 3, 'h', 'p', "
            "now(), now(), 1, 'r')"
        )
        applied = warehouse.migrate(con)
        shadow = con.execute("select doc from article_search").fetchall()
        authors = con.execute("select name, author_key from article_authors").fetchall()
    assert applied[0].startswith("0002_")
    assert shadow == [("hoa binh than bai",)]
    assert authors == [("Thuỳ Linh", "thuy linh")]  # accent-free identity (0107)


def test_publish_time_is_stored_as_an_instant_and_shown_in_vietnam_time(db: Path) -> None:
    with warehouse.connect(db) as con:
        warehouse.migrate(con)
        warehouse.load_batch(con, _run(con), [_item(ParseResult(Status.OK, article=_article()))])
        shown = con.execute("select published_at::varchar from articles").fetchone()
    assert shown == ("2017-07-26 15:47:00+07",)


def test_a_page_that_fails_to_parse_is_quarantined_with_its_raw_bytes(db: Path) -> None:
    raw = "<html><body>trống</body></html>".encode()
    failed = ParseResult(Status.FAILED, reason="body too short: 12 characters")
    with warehouse.connect(db) as con:
        warehouse.migrate(con)
        outcome = warehouse.load_batch(con, _run(con), [_item(failed, raw)])[0]
        row = con.execute(
            "select reason, detail, raw_content, stage, sha256 from quarantine"
        ).fetchone()
        fetched = con.execute("select status, bytes, sha256, requests from fetches").fetchall()
        articles = con.execute("select count(*) from articles").fetchone()
    assert outcome.outcome is Outcome.QUARANTINED
    digest = hashlib.sha256(raw).hexdigest()
    assert row == ("body too short", "12 characters", raw, "parse", digest)
    assert fetched == [(200, len(raw), digest, 0)]
    assert articles == (0,)


def test_replay_and_live_runs_never_mix_in_one_warehouse(db: Path) -> None:
    with warehouse.connect(db) as con:
        warehouse.migrate(con)
        _run(con)
        warehouse.refuse_mixed_origins(con, "http://127.0.0.1:4444")  # another replay port: fine
        # All of loopback is this machine's replay (127.0.0.2 counted as live before)
        for replay in ("http://127.0.0.2:4444", "http://[::1]:4444", "http://LOCALHOST:1",
                       "http://replay.localhost:1", "http://localhost.:1", "http://0.0.0.0:1",
                       "http://127.1:1", "http://2130706433:1", "http://0x7f000001:1",
                       "http://[::ffff:127.0.0.1]:1", "http://[::]:1"):  # fmt: skip
            warehouse.refuse_mixed_origins(con, replay)
        for live in ("https://baolangson.vn", "http://10.0.0.5:8080", "http://localhost.example"):
            with pytest.raises(warehouse.MixedOrigins, match="must not mix"):
                warehouse.refuse_mixed_origins(con, live)


def test_a_name_the_hosts_file_maps_to_this_machine_is_a_replay(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """(The resolver stood in for: this machine's hosts file is not the test's to edit.)"""
    import socket

    from lso_etl.store.origins import is_local

    answers = {"replay-box": "127.0.0.1", "mirror": "10.0.0.5", "dual": "127.0.0.1 192.0.2.7"}

    def resolve(host: str, *_: object, **__: object) -> list[tuple[object, ...]]:
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 0)) for a in answers[host].split()]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    assert is_local("http://replay-box:8811")
    assert not is_local("http://mirror:8811")
    assert is_local("http://dual:8811")  # may reach this machine: never to pass for live
    assert not is_local("https://baolangson.vn")  # offline, it resolves to nothing


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


def test_a_quarantined_page_points_into_the_raw_archive(db: Path) -> None:
    raw = b"<html><body>short</body></html>"
    failed = ParseResult(Status.FAILED, reason="body too short")
    with warehouse.connect(db) as con:
        warehouse.migrate(con)
        run = _run(con)
        con.execute(
            "insert into archive_records (warc_file, warc_offset, warc_length, run_id, url,"
            " requested_url, article_id, kind, status, fetched_at, bytes, sha256)"
            " values ('run.warc.gz', 1234, 99, ?, ?, ?, 'new:5012345', 'article', 200, now(), ?, ?)",
            [run, URL, URL, len(raw), hashlib.sha256(raw).hexdigest()],
        )
        warehouse.load_batch(con, run, [_item(failed, raw)])
        pointer = con.execute("select warc_file, warc_offset from quarantine").fetchall()
    assert pointer == [("run.warc.gz", 1234)]
