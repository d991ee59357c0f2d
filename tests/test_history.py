"""Full history and drift that shows (issue 16): every field is versioned, `article_diff` says
what changed, and every parse (unchanged ones too) is kept with its layout for data_quality."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from lso_etl.models import Outcome, ParseResult, Status
from lso_etl.pipeline.report import RunReport, to_markdown
from lso_etl.store import history, warehouse
from lso_etl.store.load_plan import article_record
from tests.test_load_plan import _at
from tests.test_warehouse import _article, _item, _run

REPRINT = _article(source="TTXVN", body="Đoạn một.\n\nĐoạn hai.\n\nĐoạn ba.", content_hash="a" * 64)
# The site dropped the source credit and rewrote the second paragraph; a version apart.
EDITED = replace(REPRINT, source=None, body="Đoạn một.\n\nĐoạn hai, sửa.\n\nĐoạn ba.",
                 content_hash="b" * 64)  # fmt: skip
# Only the credit dropped, the text as it was: still a new version.
CREDIT_ONLY = replace(REPRINT, source=None)
FALLBACK = replace(REPRINT, layout="fallback", provenance={"headline": "fallback:h1"})


def _load(db: Path, *versions: object, minutes: int = 0) -> list[Outcome]:
    with warehouse.connect(db) as con:
        warehouse.migrate(con)
        run = _run(con)
        items = [_at(_item(ParseResult(Status.OK, article=v)), minutes + n)  # type: ignore[arg-type]
                 for n, v in enumerate(versions)]  # fmt: skip
        return [o.outcome for o in warehouse.load_batch(con, run, items)]


def test_a_dropped_source_credit_is_a_version_and_the_diff_shows_it(db: Path) -> None:
    _load(db, REPRINT)
    assert _load(db, CREDIT_ONLY, minutes=5) == [Outcome.LOADED]
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select version, source, authors, captions, images, section, layout, full_record"
            " from article_versions order by version"
        ).fetchall()
        diff = con.execute(
            "select from_version, to_version, field, before, after from article_diff('new:5012345')"
        ).fetchall()
        shown = con.execute(
            "select version, source, is_current from article_show('new:5012345')"
        ).fetchall()
    assert [(r[0], r[1]) for r in rows] == [(1, "TTXVN"), (2, None)]
    assert shown == [(1, "TTXVN", False), (2, None, True)]
    assert rows[0][2:] == (
        ["Minh Đức", "Hoàng Như"], ["Toàn cảnh hội nghị"],
        [{"src": "https://baolangson.vn/uploads/a.jpg", "caption": "Toàn cảnh hội nghị"}],
        "Chính trị", "current", True,
    )  # fmt: skip
    assert diff == [(1, 2, "source", "TTXVN", None)]


def test_article_diff_gives_a_paragraph_diff_of_the_body(db: Path) -> None:
    _load(db, REPRINT, EDITED)  # two versions in one batch: each whole in the history
    with duckdb.connect(str(db), read_only=True) as con:
        diff = con.execute(
            "select field, paragraph_diff from article_diff('new:5012345') order by field"
        ).fetchall()
        versions = con.execute(
            "select version, source, valid_to is null from article_versions order by 1"
        ).fetchall()
    assert versions == [(1, "TTXVN", False), (2, None, True)]
    assert diff == [("body", ["- Đoạn hai.", "+ Đoạn hai, sửa."]), ("source", None)]


def test_an_unchanged_fallback_reparse_shows_in_the_record_and_in_data_quality(db: Path) -> None:
    _load(db, REPRINT)
    assert _load(db, FALLBACK, minutes=5) == [Outcome.UNCHANGED]  # same record, other layout
    with duckdb.connect(str(db), read_only=True) as con:
        current = con.execute("select layout, version from articles").fetchone()
        parses = con.execute(
            "select outcome, layout from article_parses order by parsed_at"
        ).fetchall()
        quality = con.execute(
            "select r.started_at, q.day, q.value, q.records, q.share from data_quality q"
            " join runs r using (run_id) where q.measure = 'layout' order by 1"
        ).fetchall()
    assert current == ("fallback", 1)
    assert parses == [("loaded", "current"), ("unchanged", "fallback")]
    # per run and per publish day (26 July 2017), not diluted by the day the page was parsed
    assert [(str(q[1]), q[2], q[3], q[4]) for q in quality] == [
        ("2017-07-26", "current", 1, 1.0),
        ("2017-07-26", "fallback", 1, 1.0),
    ]


def test_a_fallback_record_missing_authors_and_section_is_flagged(db: Path) -> None:
    bare = replace(FALLBACK, authors=(), section=None)
    report = RunReport("daily", ("2017-07-26", "2017-07-26"))
    item = _item(ParseResult(Status.OK, article=bare))
    report.add([item], [])
    _load(db, bare)
    with duckdb.connect(str(db), read_only=True) as con:
        gaps = con.execute("select fallback_gaps from article_parses").fetchall()
        quality = con.execute(
            "select value, records from data_quality where measure = 'fallback_gaps'"
        ).fetchall()
    assert gaps == [(["authors", "section"],)]
    assert quality == [("missing authors, section", 1)]
    summary = report.summary({})
    assert summary["fallback_gaps"] == {"authors": 1, "section": 1}
    assert summary["layouts_by_publish_day"] == {"2017-07-26": {"fallback": 1}}
    text = to_markdown(summary)
    assert "| 2017-07-26 | 1 | 1 |" in text and "authors 1, section 1" in text


def test_migration_0107_backfills_existing_versions(db: Path, tmp_path: Path) -> None:
    before = tmp_path / "up-to-0103"
    (before / "migrations").mkdir(parents=True)
    for script in sorted((warehouse.WAREHOUSE_DIR / "migrations").glob("010[0-3]_*.sql")) + sorted(
        (warehouse.WAREHOUSE_DIR / "migrations").glob("000*.sql")
    ):
        (before / "migrations" / script.name).write_text(script.read_text(encoding="utf-8"))
    now = datetime.now(UTC)
    with warehouse.connect(db) as con:
        warehouse.migrate(con, before)
        con.execute(
            "insert into articles values ('old:1', 'u', 'Hoà Bình', null, null, 'Thân bài.',"
            " ['Thuỳ Linh'], 'TTXVN', [], [], null, null, 'Xã hội', [], 'legacy', map(), 3, 'h2',"
            " 'p', ?, ?, 2, 'r')",
            [now, now],
        )
        con.execute(
            "insert into article_versions values ('old:1', 1, 'h1', 'Hoà Bình', null, 'Cũ.', ?, ?,"
            " 'r'), ('old:1', 2, 'h2', 'Hoà Bình', null, 'Thân bài.', ?, null, 'r')",
            [now - timedelta(days=1), now, now],
        )
        con.execute(
            "insert into fetches (run_id, url, status, outcome, detail, requests)"
            " values ('r', 'u', null, 'http_error', 'HTTP 410', 1)"
        )
        warehouse.migrate(con)
        versions = con.execute(
            "select version, full_record, source, section, layout from article_versions order by 1"
        ).fetchall()
        parses = con.execute("select article_id, version, layout from article_parses").fetchall()
        status = con.execute("select status from fetches").fetchall()
    assert versions == [(1, False, None, None, None), (2, True, "TTXVN", "Xã hội", "legacy")]
    assert parses == [("old:1", 2, "legacy")]
    assert status == [(410,)]


def test_a_column_both_tables_share_flows_into_the_history(db: Path, tmp_path: Path) -> None:
    """Migration 0106 (another branch) adds articles.subsection: versions copy it and a change
    of it is a new version, with no change to the loader's history code."""
    folder = tmp_path / "with-0106"
    shutil.copytree(warehouse.WAREHOUSE_DIR, folder, ignore=shutil.ignore_patterns("*.duckdb*"))
    (folder / "migrations" / "0106_article_subsection.sql").write_text(
        "alter table articles add column subsection varchar;"
    )
    with warehouse.connect(db) as con:
        warehouse.migrate(con, folder)
        warehouse.load_batch(
            con, _run(con), [_at(_item(ParseResult(Status.OK, article=REPRINT)), 0)]
        )
        con.execute("update articles set subsection = 'Y tế'")  # as 0106's loader would write it
        con.execute("delete from article_versions")  # copied again below, with the subsection
        history.write_versions(con, ["new:5012345"])  # the copy the loader makes of a new row
        copied = con.execute("select distinct subsection from article_versions").fetchall()
        stored = history.stored_records(con, ["new:5012345"])["new:5012345"]
    assert copied == [("Y tế",)]
    assert stored.record != article_record(REPRINT)  # the page now says no subsection: a version
