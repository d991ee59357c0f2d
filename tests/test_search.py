"""Search on a demo warehouse: phrases, proximity, the accents typed, field weights, captions.

Every check reads the articles' own text with Python (`textnorm.fold`, `tone_key`), not the
search's SQL, so the two implementations hold each other.
"""

from __future__ import annotations

import json
import shutil
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import pytest
from demo_warehouse import EDITED_WORD, demo_db
from test_warehouse import _article, _item, _run
from typer.testing import CliRunner

from lso_etl.cli.main import app
from lso_etl.models import Article, ParseResult, Status
from lso_etl.store import warehouse
from lso_etl.store.analyst import search
from lso_etl.store.analyst.textnorm import fold, tone_key

QUERIES = ("nông thôn mới", "cửa khẩu Hữu Nghị", "văn hoá", "giải ngân", "Tân Thanh")
EVERYTHING = 1000


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    with warehouse.connect(demo_db(), read_only=True) as connection:
        yield connection  # type: ignore[misc]


@pytest.fixture(scope="module")
def fields(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Each article's headline, lead, body and captions, as published."""
    rows = con.execute(
        "select article_id, [headline, coalesce(sapo, ''), body, array_to_string(captions, ' ')]"
        " from articles"
    ).fetchall()
    return dict(rows)


@contextmanager
def _loaded(db: Path, *articles: Article) -> Iterator[duckdb.DuckDBPyConnection]:
    """A new warehouse holding these articles, loaded as the crawl would."""
    with warehouse.connect(db) as con:
        warehouse.migrate(con)
        run = _run(con)
        for article in articles:
            warehouse.load_batch(con, run, [_item(ParseResult(Status.OK, article=article))])
        yield con


def _ids(found: search.Results) -> list[str]:
    return [hit.article_id for hit in found.hits]


def _has_phrase(texts: list[str], phrase: str) -> bool:
    """The folded phrase as consecutive words inside one field."""
    return any(f" {fold(phrase)} " in f" {fold(text)} " for text in texts)


def _has_words_as_typed(texts: list[str], words: str) -> bool:
    have = set(tone_key(" ".join(texts)).replace(",", " ").replace(".", " ").split())
    return set(tone_key(words).split()) <= have


@pytest.mark.parametrize("query", ['"cua khau"', "cua khau", '"cửa khẩu"'])
def test_the_top_twenty_all_hold_the_phrase(
    con: duckdb.DuckDBPyConnection, fields: dict[str, list[str]], query: str
) -> None:
    holding = [a for a, texts in fields.items() if _has_phrase(texts, "cua khau")]
    assert len(holding) >= 20  # else the acceptance is void on this corpus
    top = _ids(search.search(con, query, limit=20))
    assert len(top) == 20
    assert [a for a in top if not _has_phrase(fields[a], "cua khau")] == []


def test_a_quoted_phrase_is_required_and_loose_words_are_not(
    con: duckdb.DuckDBPyConnection, fields: dict[str, list[str]]
) -> None:
    quoted = set(_ids(search.search(con, '"cua khau"', limit=EVERYTHING)))
    loose = set(_ids(search.search(con, "cua khau", limit=EVERYTHING)))
    words = {a for a, t in fields.items() if {"cua", "khau"} <= set(fold(" ".join(t)).split())}
    assert quoted == {a for a, texts in fields.items() if _has_phrase(texts, "cua khau")}
    assert loose == words and len(loose) > len(quoted)  # "của ... khẩu" far apart, found last
    unclosed = set(_ids(search.search(con, '"cua khau', limit=EVERYTHING)))
    assert unclosed == quoted


def test_typed_accents_rank_their_exact_matches_first(
    con: duckdb.DuckDBPyConnection, fields: dict[str, list[str]]
) -> None:
    hits = search.search(con, "cửa khẩu", limit=EVERYTHING).hits
    exact = [_has_words_as_typed(fields[h.article_id], "cửa khẩu") for h in hits]
    assert True in exact and False in exact  # "của" (of) and "khẩu" count only after
    assert exact == sorted(exact, reverse=True)
    assert [h.accents_match for h in hits] == exact


def test_accent_free_text_comes_after_the_accents_typed(db: Path) -> None:
    plain = replace(_article(), article_id="new:1", headline="Cua khau Huu Nghi thong quan")
    typed = replace(_article(), article_id="new:2", headline="Cửa khẩu Hữu Nghị thông quan")
    apart = replace(_article(), article_id="new:3", headline="Cửa hàng của ông bán khẩu trang")
    with _loaded(db, plain, typed, apart) as con:
        accented = _ids(search.search(con, "cửa khẩu"))
        mixed = _ids(search.search(con, "cửa khau"))  # only "cửa" asks for its accents
        bare = search.search(con, "cua khau").hits
    # "cửa" and "khẩu" as typed, side by side; as typed but apart; side by side without accents
    assert accented == mixed == ["new:2", "new:3", "new:1"]
    assert {h.article_id for h in bare if h.phrase_match} == {"new:1", "new:2"}
    assert bare[-1].article_id == "new:3"  # the words, but not side by side


def test_a_word_typed_two_ways_asks_for_both_forms(db: Path) -> None:
    both = replace(_article(), article_id="new:1", headline="Đảng bộ đang họp")
    one = replace(_article(), article_id="new:2", headline="Đảng bộ họp bàn")
    other = replace(_article(), article_id="new:3", headline="Chi bộ đang họp")
    with _loaded(db, both, one, other) as con:
        hits = search.search(con, "đang đảng").hits  # both fold to "dang"
    assert {h.article_id for h in hits} == {"new:1", "new:2", "new:3"}
    assert [h.article_id for h in hits if h.accents_match] == ["new:1"]


def test_d_and_dj_and_decomposed_text(con: duckdb.DuckDBPyConnection) -> None:
    dang = search.search(con, "Đảng", limit=EVERYTHING).hits
    assert dang and dang[0].accents_match and not dang[-1].accents_match  # "đang", "dáng"
    assert {h.article_id for h in dang} == set(_ids(search.search(con, "dang", limit=EVERYTHING)))
    decomposed = search.search(con, unicodedata.normalize("NFD", "cửa khẩu"), limit=50)
    assert _ids(decomposed) == _ids(search.search(con, "cửa khẩu", limit=50))


@pytest.mark.parametrize("query", QUERIES)
def test_every_hit_holds_every_word_whatever_the_accents(
    con: duckdb.DuckDBPyConnection, fields: dict[str, list[str]], query: str
) -> None:
    variants = {query, fold(query), query.upper()}
    results = {frozenset(_ids(search.search(con, v, limit=EVERYTHING))) for v in variants}
    assert len(results) == 1
    found = results.pop()
    assert found
    for article_id in found:
        assert set(fold(query).split()) <= set(fold(" ".join(fields[article_id])).split())


def test_both_tone_placements_find_the_same_articles(con: duckdb.DuckDBPyConnection) -> None:
    old = search.search(con, "văn hoá", limit=EVERYTHING)
    new = search.search(con, "văn hóa", limit=EVERYTHING)
    assert old.hits and _ids(old) == _ids(new)
    assert "văn hóa" in old.hits[0].headline.lower()  # the corpus prints the other placement
    assert old.hits[0].accents_match
    # "hoà" is another tone (huyền): the same articles, but none matches the accents typed
    other = search.search(con, "văn hoà", limit=EVERYTHING)
    assert set(_ids(other)) == set(_ids(old)) and not other.hits[0].accents_match


def test_a_caption_only_word_is_found(
    con: duckdb.DuckDBPyConnection, fields: dict[str, list[str]]
) -> None:
    elsewhere = {w for texts in fields.values() for w in fold(" ".join(texts[:3])).split()}
    in_captions = {w for texts in fields.values() for w in fold(texts[3]).split()}
    only = sorted(in_captions - elsewhere)
    assert only, "the demo corpus has no caption-only word"
    for word in only:
        expected = {a for a, texts in fields.items() if word in fold(texts[3]).split()}
        assert set(_ids(search.search(con, word, limit=EVERYTHING))) == expected


def test_headline_outranks_lead_outranks_body(db: Path) -> None:
    """One rare word, once, in a different field of three articles otherwise alike."""
    base = _article(headline="Sở Nội vụ sơ kết", sapo="Sáng nay, hội nghị.", body="Đoạn một.")
    placed = {
        "new:1": replace(base, article_id="new:1", body="Đoạn xylofon."),
        "new:2": replace(base, article_id="new:2", sapo="Sáng xylofon, hội nghị."),
        "new:3": replace(base, article_id="new:3", headline="Sở Nội xylofon sơ kết"),
        "new:4": replace(base, article_id="new:4", captions=("Toàn cảnh xylofon nghị",)),
    }
    with _loaded(db, *placed.values()) as con:
        hits = search.search(con, "xylofon").hits
    assert [h.article_id for h in hits][:2] == ["new:3", "new:2"]
    assert {h.article_id for h in hits[2:]} == {"new:1", "new:4"}
    assert hits[2].score == pytest.approx(hits[3].score)  # body and captions weigh alike


def test_words_close_together_rank_higher(db: Path) -> None:
    filler = " ".join(["trong"] * 20)
    near = replace(
        _article(), article_id="new:1", body=f"Lạng Sơn có xylofon và mới quyết {filler}."
    )
    far = replace(_article(), article_id="new:2", body=f"Lạng Sơn có xylofon {filler} mới quyết.")
    with _loaded(db, far, near) as con:
        hits = search.search(con, "xylofon quyết").hits
    assert [h.article_id for h in hits] == ["new:1", "new:2"]
    assert not any(h.phrase_match for h in hits)  # neither holds them side by side


def test_filters_by_days_and_section_without_accents(con: duckdb.DuckDBPyConnection) -> None:
    found = search.search(con, "huyện", date(2017, 8, 1), date(2017, 8, 31),
                          section="quoc phong - an ninh", limit=500)  # fmt: skip
    assert found.hits
    assert {hit.section for hit in found.hits} == {"Quốc phòng - An ninh"}
    assert all(h.published_at and h.published_at.strftime("%Y-%m") == "2017-08" for h in found.hits)


@pytest.mark.parametrize("query", ['"cửa khẩu" Tân Thanh', "nông thôn mới", "hoà"])
def test_the_command_is_the_sql_macro(con: duckdb.DuckDBPyConnection, query: str) -> None:
    rows = con.execute(
        "select article_id from search_articles(?) join articles using (article_id)"
        " order by score desc, published_at desc nulls last, article_id limit 30",
        [query],
    ).fetchall()
    assert [r[0] for r in rows] == _ids(search.search(con, query, limit=30))


@pytest.mark.parametrize("limit", [1, 7])
def test_a_filtered_page_is_the_sql_macro_filtered(
    con: duckdb.DuckDBPyConnection, limit: int
) -> None:
    """The command ranks only the filtered articles and gives proximity only to the hits
    that may reach its page; the macro, asked for everything, must agree."""
    rows = con.execute(
        "select article_id from search_articles('nông thôn mới') join articles using"
        " (article_id) where cast(timezone('Asia/Ho_Chi_Minh', published_at) as date)"
        " between '2017-06-01' and '2017-07-14'"
        " order by score desc, published_at desc nulls last, article_id limit ?",
        [limit],
    ).fetchall()
    june = search.search(con, "nông thôn mới", date(2017, 6, 1), date(2017, 7, 14), limit=limit)
    assert len(rows) == limit and [r[0] for r in rows] == _ids(june)


def test_a_filter_that_keeps_no_article_finds_nothing(con: duckdb.DuckDBPyConnection) -> None:
    """The articles a filter keeps go to the macro as a list; none kept is [], not null (which
    the macro reads as no filter: every hit came back)."""
    assert search.search(con, "cua khau").hits  # the words are there
    assert search.search(con, "cua khau", date(2030, 1, 1)).hits == []
    assert search.search(con, "cua khau", section="no such section").hits == []


def test_an_edited_article_is_found_by_its_new_words(con: duckdb.DuckDBPyConnection) -> None:
    found = search.search(con, EDITED_WORD)
    assert len(found.hits) == 1
    row = con.execute(
        "select version from articles where article_id = ?", [found.hits[0].article_id]
    )
    assert row.fetchone() == (2,)


def test_new_articles_are_searchable_at_once_and_refresh_sorts_when_needed(
    tmp_path: Path,
) -> None:
    db = tmp_path / "lso.duckdb"
    shutil.copy(demo_db(), db)
    fresh: Article = replace(_article(), article_id="new:9999999", headline="Quảng Ninh hoà nhạc")
    with warehouse.connect(db) as con:
        warehouse.load_batch(con, _run(con), [_item(ParseResult(Status.OK, article=fresh))])
        current = search.search(con, '"quang ninh hoa nhac"')
        spent = search.refresh_search(con)
        forced = search.refresh_search(con, force=True)
        again = search.search(con, '"Quảng Ninh hòa nhạc"')
    assert _ids(current) == _ids(again) == ["new:9999999"]
    assert spent["builtin"] == 0 and forced["builtin"] > 0  # one new article: no re-sort


def test_cli_search_prints_ranked_hits_and_json(tmp_path: Path) -> None:
    """On a copy: this module's `con` holds the demo warehouse open, and the CLI's sandboxed
    connection refuses to share a database this process already has open."""
    runner = CliRunner()
    db = str(tmp_path / "lso.duckdb")
    shutil.copy(demo_db(), db)
    table = runner.invoke(app, ["--db", db, "search", '"nong thon moi"', "--limit", "3"])
    assert table.exit_code == 0, table.output
    assert "hits for '\"nong thon moi\"'" in table.output
    raw = runner.invoke(app, ["--db", db, "search", "Nông thôn mới", "--json", "--limit", "3"])
    assert raw.exit_code == 0, raw.output
    answer = json.loads(raw.output)
    assert len(answer["hits"]) == 3 and answer["hits"][0]["accents_match"] is True
    bad = runner.invoke(app, ["--db", db, "search", "x", "--from", "yesterday"])
    assert bad.exit_code != 0
    gone = runner.invoke(app, ["--db", db, "search", "x", "--engine", "fts"])
    assert gone.exit_code != 0 and "Traceback" not in gone.output


def test_a_backfill_cut_short_resumes_at_the_next_migrate(db: Path) -> None:
    """Migration 0104 rewrites every shadow; on a big warehouse that is long, and may stop."""
    with _loaded(db, replace(_article(), captions=("Cán bộ y tế tiêm vắc xin cho trẻ",))) as con:
        con.execute("delete from search_postings")
        con.execute("delete from article_search")  # as if the backfill had stopped here
        assert search.search(con, "vắc xin").hits == []
        applied = warehouse.migrate(con)
        found = search.search(con, "vắc xin").hits
    assert applied == [] and [h.article_id for h in found] == ["new:5012345"]
