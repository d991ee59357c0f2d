"""The word pairs and weighted term frequencies search reads (migration 0105) follow the
articles: written at load, replaced with a new version or a reparse, left alone by a re-load,
rebuilt by a repair and by the next migrate when missing.

The expected rows are computed in Python from the article's fields (`textnorm.words`), not
by the loader's SQL.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import duckdb
import pytest
from test_search import _loaded
from test_warehouse import _article, _item, _run

from lso_etl.cli import main as cli_main
from lso_etl.models import Article, ParseResult, Status
from lso_etl.store import search_upgrade, warehouse
from lso_etl.store.analyst import search
from lso_etl.store.analyst.textnorm import words
from lso_etl.store.loading import transaction

WEIGHTS = (3, 2, 1, 1)  # headline, lead, body, captions


def _fields(article: Article) -> list[str]:
    return [article.headline, article.sapo or "", article.body, " ".join(article.captions)]


def _expected(article: Article) -> tuple[set[str], dict[str, int]]:
    """The article's accent-free adjacent pairs (never across fields) and weighted tf."""
    pairs: set[str] = set()
    tf: Counter[str] = Counter()
    for weight, text in zip(WEIGHTS, _fields(article), strict=True):
        field = words(text)
        pairs.update(f"{one} {two}" for one, two in pairwise(field))
        for word in field:
            tf[word] += weight
    return pairs, dict(tf)


def _stored(con: duckdb.DuckDBPyConnection, article_id: str) -> tuple[set[str], dict[str, int]]:
    sql = "select pair from search_pairs where article_id = ?"
    pairs = {row[0] for row in con.execute(sql, [article_id]).fetchall()}
    sql = "select term, tf from search_postings where article_id = ?"
    return pairs, dict(con.execute(sql, [article_id]).fetchall())  # type: ignore[arg-type]


def _everything(con: duckdb.DuckDBPyConnection) -> list[list[tuple[object, ...]]]:
    return [
        con.execute(f"select * from {table} order by all").fetchall()
        for table in ("search_postings", "search_pairs")
    ]


FIRST = _article(body="Cửa khẩu Tân Thanh thông quan.\n\nĐoạn hai.")
SECOND = _article(body="Nông thôn mới ở Đình Lập.\n\nĐoạn hai.", content_hash="b" * 64)


def test_a_load_writes_the_pairs_and_weights_of_the_text(db: Path) -> None:
    with _loaded(db, FIRST) as con:
        stored = _stored(con, FIRST.article_id)
        # "hội nghị" ends the lead and the caption: one row, both starts
        starts = con.execute("select starts from search_pairs where pair = 'hoi nghi'").fetchall()
        crossing = search.search(con, '"thang sang"').hits  # headline's end, lead's start
    assert stored == _expected(FIRST)
    assert starts == [([1_000_007, 3_000_002],)]
    assert crossing == []


def test_a_new_version_or_a_reparse_replaces_the_pairs_and_a_reload_keeps_them(
    db: Path,
) -> None:
    with _loaded(db, FIRST, FIRST) as con:  # the second load is unchanged: nothing rewritten
        once = _everything(con)
        warehouse.load_batch(con, _run(con), [_item(ParseResult(Status.OK, article=SECOND))])
        edited = _stored(con, FIRST.article_id)
        old_phrase = search.search(con, '"cửa khẩu tân thanh"').hits
        new_phrase = search.search(con, '"nông thôn mới"').hits
        reparsed = replace(SECOND, headline="Sở Nội vụ tổng kết năm", content_hash="c" * 64)
        run = _run(con, flow="reparse")
        warehouse.load_batch(con, run, [_item(ParseResult(Status.OK, article=reparsed))])
        after_reparse = _stored(con, FIRST.article_id)
        versions = con.execute("select version from articles").fetchall()
    # 26 adjacent pairs (8 + 8 + 7 + 3), of which "sở nội", "nội vụ" and "hội nghị" twice
    assert [len(rows) for rows in once] == [len(_expected(FIRST)[1]), 23]
    assert edited == _expected(SECOND)
    assert old_phrase == [] and [h.article_id for h in new_phrase] == [FIRST.article_id]
    assert after_reparse == _expected(reparsed) and versions == [(3,)]


def test_a_repair_and_a_migrate_after_a_backfill_cut_short_write_the_same_rows(db: Path) -> None:
    other = replace(SECOND, article_id="new:7", url="https://baolangson.vn/x-7.html")
    with _loaded(db, FIRST, other) as con:
        loaded = _everything(con)
        search.rebuild_postings(con)
        repaired = _everything(con)
        con.execute("delete from search_pairs where article_id = 'new:7'")
        con.execute("delete from search_postings where article_id = 'new:7'")
        con.execute("delete from article_search where article_id = 'new:7'")
        warehouse.migrate(con)  # what 0105 does to every article: the backfill writes them
        migrated = _everything(con)
    assert repaired == loaded and migrated == loaded


# 0104's loader (store.derived.write_search at b4d8442) as it wrote a warehouse's postings:
# one row per accented form of a word, no pairs, no weighted tf.
AS_OF_0104 = (
    "create table search_postings (term varchar not null, exact varchar not null,"
    " article_id varchar not null, positions integer[] not null, doc_len integer not null)",
    "create or replace temp table search_words as"
    " select article_id, doc_len, field * 1000000 + position as pos, word"
    " from (select article_id, doc_len, field, unnest(words) as word,"
    "  unnest(generate_series(0, len(words) - 1))::integer as position"
    "  from (select *, sum(len(words)) over (partition by article_id) as doc_len"
    "   from (select article_id, field, lso_search_words(text) as words"
    "    from (select article_id, unnest([0, 1, 2, 3]) as field,"
    "     unnest([headline, sapo, body, array_to_string(captions, ' ')]) as text"
    "     from articles))))",
    "create or replace temp table search_vocabulary as"
    " select word, lso_search_term(word) as term, lso_search_exact(word) as exact"
    " from (select distinct word from search_words)",
    "insert into search_postings"
    " select term, exact, article_id, list(pos order by pos), any_value(doc_len)"
    " from search_words join search_vocabulary using (word)"
    " group by term, exact, article_id",
)


def _back_to_0104(con: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    """A warehouse as 0104 left it (its postings, no pairs, 0105 not applied); its postings."""
    con.execute("drop table search_pairs")
    con.execute("drop table search_postings")
    for statement in AS_OF_0104:
        con.execute(statement)
    con.execute("delete from schema_migrations where name = '0105_search_pairs.sql'")
    return con.execute("select * from search_postings order by all").fetchall()


def _in_storage_order(con: duckdb.DuckDBPyConnection) -> list[list[tuple[object, ...]]]:
    return [
        con.execute(f"select {key}, article_id from {table}").fetchall()
        for table, key in (("search_postings", "term"), ("search_pairs", "pair"))
    ]


OTHER = replace(SECOND, article_id="new:7", url="https://baolangson.vn/x-7.html")


def test_a_warehouse_of_0104_is_upgraded_to_the_rows_the_loader_writes(db: Path) -> None:
    """Migration 0105 converts 0104's postings inside DuckDB (store.search_upgrade), without
    the articles' text: the rows must be the loader's, stored in the order queries read."""
    with _loaded(db, FIRST, OTHER) as con:
        loaded = _everything(con)
        old = _back_to_0104(con)
        applied = warehouse.migrate(con)
        upgraded = _everything(con)
        stored = _in_storage_order(con)
        left = con.execute("select count(*) from duckdb_tables() where table_name like '%0104'")
        leftover = left.fetchone()
        hits = search.search(con, '"cửa khẩu tân thanh"').hits
    assert len(old) > len(loaded[0])  # "hội" and "hỏi" were two postings, now one
    assert applied == ["0105_search_pairs.sql"] and upgraded == loaded
    assert all(rows == sorted(rows) for rows in stored) and leftover == (0,)
    assert [hit.article_id for hit in hits] == [FIRST.article_id]


def test_an_upgrade_cut_short_leaves_0104_whole_and_the_next_migrate_finishes_it(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_ranges = search_upgrade._word_ranges

    def interrupted(con: duckdb.DuckDBPyConnection) -> Iterator[tuple[str | None, str | None]]:
        yield next(real_ranges(con))  # one chunk of postings written, then Ctrl-C
        raise KeyboardInterrupt

    settings = "select current_setting('memory_limit'), current_setting('threads')"
    with _loaded(db, FIRST, OTHER) as con:
        loaded = _everything(con)
        old = _back_to_0104(con)
        con.execute("set memory_limit = '64MB'")  # a run's, as Settings.writer_memory
        con.execute("set threads = 1")
        own = con.execute(settings).fetchone()
        monkeypatch.setattr(search_upgrade, "_word_ranges", interrupted)
        with pytest.raises(KeyboardInterrupt):
            warehouse.migrate(con)
        kept = con.execute("select * from search_postings order by all").fetchall()
        tables = con.execute("select table_name from duckdb_tables() where table_name like"
                             " 'search_p%' order by 1").fetchall()  # fmt: skip
        applied = con.execute("select count(*) from schema_migrations where name like '0105%'")
        marked = applied.fetchone()
        after = con.execute(settings).fetchone()
        monkeypatch.undo()
        warehouse.migrate(con)
        finished = _everything(con)
    # As 0104 left it, for a reader too: its postings, no pairs, 0105 still to apply
    assert kept == old and tables == [("search_postings",)] and marked == (0,)
    assert after == own and finished == loaded


def test_a_re_sort_writes_the_same_rows_in_order_and_gives_the_run_its_settings_back(
    db: Path,
) -> None:
    """refresh_search sorts with room of its own (a run's 64MB cap ran out at 100,000
    articles, bench/RESULTS.md), then the run's own settings apply again."""
    settings = "select current_setting('memory_limit'), current_setting('threads')"
    with _loaded(db, OTHER, FIRST) as con:
        loaded, unsorted = _everything(con), _in_storage_order(con)
        con.execute("set memory_limit = '64MB'")  # a run's, as Settings.writer_memory
        con.execute("set threads = 1")
        own = con.execute(settings).fetchone()
        spent = search.refresh_search(con, force=True)
        after = con.execute(settings).fetchone()
        sorted_rows, stored = _everything(con), _in_storage_order(con)
    assert spent["builtin"] > 0 and after == own and sorted_rows == loaded
    assert unsorted != [sorted(rows) for rows in unsorted]  # two loads: one article after the other
    assert all(rows == sorted(rows) for rows in stored)


def test_a_reader_refuses_a_warehouse_an_older_version_wrote_until_it_is_upgraded(
    db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with _loaded(db, FIRST, OTHER) as con:
        loaded = _everything(con)
        _back_to_0104(con)

    def run(*argv: str) -> tuple[int, list[str]]:
        monkeypatch.setattr(sys, "argv", ["lso-etl", "--db", str(db), *argv])
        with pytest.raises(SystemExit) as ended:
            cli_main.main()
        out, err = capsys.readouterr()
        return int(ended.value.code or 0), (out + err).strip().splitlines()

    readers = [run("search", "cửa khẩu"), run("sql", "select count(*) from articles"),
               run("stats"), run("show", FIRST.article_id),
               run("export", "--to", str(db.parent / "out"))]  # fmt: skip
    upgraded = run("upgrade")
    found = run("search", "cửa khẩu")
    again = run("upgrade")
    with warehouse.connect(db, read_only=True) as con:
        rows = _everything(con)
    refused = (
        f"{db} was written by an older lso-etl: 1 migration(s) not applied yet"
        f" (0105_search_pairs.sql); run `lso-etl --db {db} upgrade` once (any run also"
        " applies them), then read it"
    )
    assert [(code, said[-1].endswith(refused)) for code, said in readers] == [(2, True)] * 5
    assert upgraded[0] == 0 and upgraded[1][-1].startswith(f"upgraded {db}: 1 migration(s)")
    assert found[0] == 0 and FIRST.url in "\n".join(found[1]) and rows == loaded
    assert again == (0, [f"{db} is up to date: nothing to apply"])


def test_a_failed_commit_is_the_error_seen_not_the_rollback_after_it() -> None:
    class CommitFails:  # DuckDB ends the transaction when its commit fails
        def execute(self, sql: str) -> None:
            if sql == "commit":
                raise duckdb.IOException('Could not write file "x.wal": File too large')
            if sql == "rollback":
                raise duckdb.TransactionException("cannot rollback - no transaction is active")

    with pytest.raises(duckdb.IOException, match="File too large"), transaction(CommitFails()):  # type: ignore[arg-type]
        pass


@pytest.mark.parametrize(
    ("own", "inside"),
    [("64MB", "953.6 MiB"), ("8GB", "7.4 GiB"), ("-1", "16383.9 PiB")],
)
def test_room_for_a_rewrite_raises_a_small_memory_limit_only_and_gives_settings_back(
    own: str, inside: str
) -> None:
    con = duckdb.connect()
    con.execute(f"set memory_limit = '{own}'")
    con.execute("set threads = 1")
    settings = "select current_setting('memory_limit'), current_setting('threads')"
    before = con.execute(settings).fetchone()
    with search_upgrade.roomy(con):
        during = con.execute(settings).fetchone()
    assert during is not None and during[0] == inside and during[1] >= 1
    assert con.execute(settings).fetchone() == before


def test_a_repair_that_fails_shows_its_own_error_and_leaves_everything_as_it_was(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(con: duckdb.DuckDBPyConnection, ids: object) -> None:
        raise ValueError("the repair broke")

    with _loaded(db, FIRST, OTHER) as con:
        loaded = _everything(con)
        con.execute("set threads = 1")
        monkeypatch.setattr(search, "write_search", broken)
        with pytest.raises(ValueError, match="the repair broke"):
            search.rebuild_postings(con)
        after = _everything(con), con.execute("select current_setting('threads')").fetchone()
    assert after == (loaded, (1,))


def test_a_small_warehouse_is_not_re_sorted_after_every_run(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every posting of a fresh warehouse is unsorted, but a few row groups read quickly: the
    re-sort waits for SORT_FROM_POSTINGS (forced, or past it, it runs)."""
    with _loaded(db, FIRST, OTHER) as con:
        small = search.refresh_search(con)
        monkeypatch.setattr(search, "SORT_FROM_POSTINGS", 10)
        big = search.refresh_search(con)
        after = search.refresh_search(con)
    assert small["builtin"] == 0 and big["builtin"] > 0 and after["builtin"] == 0
