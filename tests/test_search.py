"""Search on a demo warehouse: accent- and tone-insensitive, ranked, two engines that agree."""

from __future__ import annotations

import json
import shutil
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
from lso_etl.store.analyst.textnorm import fold

QUERIES = ("nông thôn mới", "cửa khẩu Hữu Nghị", "văn hoá", "giải ngân", "Tân Thanh")


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    with warehouse.connect(demo_db(), read_only=True) as connection:
        yield connection  # type: ignore[misc]


def _ids(found: search.Results) -> list[str]:
    return [hit.article_id for hit in found.hits]


def test_the_packaged_fts_extension_loads_offline(con: duckdb.DuckDBPyConnection) -> None:
    assert search.fts_extension_file() is not None
    assert search.load_fts(con)
    assert search.fts_is_current(con)


@pytest.mark.parametrize("query", QUERIES)
def test_fts_and_builtin_rank_identically(con: duckdb.DuckDBPyConnection, query: str) -> None:
    fts = search.search(con, query, limit=50, engine="fts")
    builtin = search.search(con, query, limit=50, engine="builtin")
    assert (fts.engine, builtin.engine) == ("fts", "builtin")
    assert fts.hits, f"nothing found for {query!r}"
    assert _ids(fts) == _ids(builtin)
    assert [h.score for h in fts.hits] == pytest.approx([h.score for h in builtin.hits])
    assert [h.score for h in fts.hits] == sorted((h.score for h in fts.hits), reverse=True)


@pytest.mark.parametrize("query", QUERIES)
def test_every_hit_holds_every_word_whatever_the_accents(
    con: duckdb.DuckDBPyConnection, query: str
) -> None:
    variants = {query, fold(query), query.upper()}
    results = {tuple(_ids(search.search(con, v, limit=500))) for v in variants}
    assert len(results) == 1
    docs = dict(con.execute("select article_id, doc from article_search").fetchall())
    for article_id in results.pop():
        assert set(fold(query).split()) <= set(docs[article_id].split())


def test_both_tone_placements_find_the_same_articles(con: duckdb.DuckDBPyConnection) -> None:
    old, new = search.search(con, "văn hoà", limit=500), search.search(con, "văn hòa", limit=500)
    assert old.hits and _ids(old) == _ids(new)
    headlines = " ".join(hit.headline for hit in old.hits).lower()
    assert "văn hóa" in headlines  # the corpus prints the other placement


def test_filters_by_days_and_section_without_accents(con: duckdb.DuckDBPyConnection) -> None:
    found = search.search(con, "huyện", date(2017, 8, 1), date(2017, 8, 31),
                          section="quoc phong - an ninh", limit=500)  # fmt: skip
    assert found.hits
    assert {hit.section for hit in found.hits} == {"Quốc phòng - An ninh"}
    assert all(h.published_at and h.published_at.strftime("%Y-%m") == "2017-08" for h in found.hits)


def test_the_sql_macro_is_the_builtin_engine(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        "select article_id, score from search_articles('Nông thôn mới')"
        " order by score desc, article_id limit 10"
    ).fetchall()
    builtin = search.search(con, "nong thon moi", limit=10, engine="builtin")
    assert {r[0] for r in rows} == set(_ids(builtin))


def test_an_edited_article_is_found_by_its_new_words(con: duckdb.DuckDBPyConnection) -> None:
    found = search.search(con, EDITED_WORD)
    assert len(found.hits) == 1
    row = con.execute(
        "select version from articles where article_id = ?", [found.hits[0].article_id]
    )
    assert row.fetchone() == (2,)


def test_a_stale_fts_index_is_not_used_until_refreshed(tmp_path: Path) -> None:
    db = tmp_path / "lso.duckdb"
    shutil.copy(demo_db(), db)
    fresh: Article = replace(_article(), article_id="new:9999999", headline="Quảng Ninh hoà nhạc")
    with warehouse.connect(db) as con:
        warehouse.load_batch(con, _run(con), [_item(ParseResult(Status.OK, article=fresh))])
        current = search.search(con, "quang ninh hoa nhac")  # the postings are never stale
        with pytest.raises(ValueError, match="stale"):
            search.search(con, "quang ninh", engine="fts")
        spent = search.refresh_search(con)
        again = search.refresh_search(con)
        refreshed = search.search(con, "Quảng Ninh hòa nhạc", engine="fts")
    assert (current.engine, _ids(current)) == ("builtin", ["new:9999999"])
    assert (refreshed.engine, _ids(refreshed)) == ("fts", ["new:9999999"])
    assert spent["fts"] > 0 and spent["builtin"] == 0  # one new article: no re-sort needed
    assert again == {"builtin": 0.0, "fts": 0.0}  # nothing changed since


def test_without_the_extension_the_default_search_still_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "lso.duckdb"
    shutil.copy(demo_db(), db)  # a file of its own: extensions load per open database
    monkeypatch.setattr(search, "fts_extension_file", lambda: None)
    with warehouse.connect(db, read_only=True) as con:
        found = search.search(con, "nông thôn mới", limit=5)
        with pytest.raises(ValueError, match="does not load"):
            search.search(con, "nông thôn mới", engine="fts")
        with pytest.raises(duckdb.Error, match="fts"):
            con.execute("select stem('làng', 'none')")  # fts really is absent here
    assert found.engine == "builtin" and len(found.hits) == 5


def test_cli_search_prints_ranked_hits_and_json(tmp_path: Path) -> None:
    """On a copy: this module's `con` holds the demo warehouse open, and the CLI's sandboxed
    connection refuses to share a database this process already has open."""
    runner = CliRunner()
    db = str(tmp_path / "lso.duckdb")
    shutil.copy(demo_db(), db)
    table = runner.invoke(app, ["--db", db, "search", "nong thon moi", "--limit", "3"])
    assert table.exit_code == 0, table.output
    assert "hits for 'nong thon moi'" in table.output
    raw = runner.invoke(app, ["--db", db, "search", "Nông thôn mới", "--json", "--limit", "3"])
    assert raw.exit_code == 0, raw.output
    answer = json.loads(raw.output)
    assert answer["engine"] == "builtin" and len(answer["hits"]) == 3
    fts = runner.invoke(app, ["--db", db, "search", "nong thon moi", "--engine", "fts", "--json"])
    ids = [hit["article_id"] for hit in answer["hits"]]
    assert [hit["article_id"] for hit in json.loads(fts.output)["hits"][:3]] == ids
    bad = runner.invoke(app, ["--db", db, "search", "x", "--from", "yesterday"])
    assert bad.exit_code != 0
