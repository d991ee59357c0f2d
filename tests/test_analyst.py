"""What analysts use: the README's queries and data dictionary, views, sql/stats/export."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest
from demo_warehouse import demo_db
from test_warehouse import _article, _item, _run
from typer.testing import CliRunner

from lso_etl.cli.main import app
from lso_etl.errors import UserError
from lso_etl.models import ParseResult, Status
from lso_etl.store import checks, warehouse
from lso_etl.store.analyst import dictionary
from lso_etl.store.analyst.export import SNAPSHOT, export

README = warehouse.WAREHOUSE_DIR / "README.md"


def readme_queries() -> list[str]:
    text = README.read_text(encoding="utf-8").partition("## Ten example queries")[2]
    return re.findall(r"```sql\n(.*?)```", text.partition("## Data dictionary")[0], re.S)


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    with warehouse.connect(demo_db(), read_only=True) as connection:
        yield connection  # type: ignore[misc]


def test_the_readme_holds_ten_example_queries() -> None:
    assert len(readme_queries()) == 10


@pytest.mark.parametrize("number", range(10))
def test_each_readme_query_answers_on_the_demo_warehouse(
    con: duckdb.DuckDBPyConnection, number: int
) -> None:
    rows = con.execute(readme_queries()[number]).fetchall()
    assert rows, f"query {number + 1} of the README returned nothing"


def test_the_readme_dictionary_is_generated_from_the_comments() -> None:
    assert dictionary.dictionary_section() == dictionary.fresh_dictionary().strip(), (
        "warehouse/README.md is out of date: run `uv run python -m lso_etl.store.analyst.dictionary`"
    )


def test_every_table_view_and_column_carries_a_comment() -> None:
    with duckdb.connect() as con:
        warehouse.migrate(con)
        missing = [name for name, _, comment in dictionary.relations(con) if not comment]
        for name, _, _ in dictionary.relations(con):
            missing += [f"{name}.{c}" for c, _, note in dictionary.columns(con, name) if not note]
    assert missing == []


def test_views_answer_what_they_promise(con: duckdb.DuckDBPyConnection) -> None:
    articles = con.execute("select count(*) from articles").fetchone()
    counted = con.execute("select sum(articles) from daily_counts").fetchone()
    sections = con.execute("select sum(articles), round(sum(share), 2) from sections").fetchone()
    assert articles is not None and counted == articles and sections == (articles[0], 1.0)
    layouts = con.execute(
        "select value, sum(records) from data_quality where measure = 'layout' group by 1 order by 1"
    ).fetchall()
    assert [v for v, _ in layouts] == ["current", "legacy", "quarantined"]
    # every page parsed: the first run's, then the second's edited page and quarantined page
    assert sum(n for _, n in layouts) == articles[0] + 2
    shares = con.execute(
        "select run_id, day, measure, sum(share) from data_quality group by all"
        " having abs(sum(share) - 1) > 0.001"
    ).fetchall()
    assert shares == []


def test_the_authors_view_merges_tone_placements(tmp_path: Path) -> None:
    db = tmp_path / "lso.duckdb"
    shutil.copy(demo_db(), db)
    spellings = ("Nguyễn Thị Thuý", "Nguyễn Thị Thúy")
    items = [
        _item(ParseResult(Status.OK, article=replace(
            _article(), article_id=f"new:{9_000_000 + n}", content_hash=str(n), authors=(name,)
        )))
        for n, name in enumerate(spellings)
    ]  # fmt: skip
    with warehouse.connect(db) as con:
        warehouse.load_batch(con, _run(con), items)
        row = con.execute(
            "select name_variants, articles from authors where author_key = 'nguyen thi thuy'"
        ).fetchone()
    assert row == (sorted(spellings), 2)


def test_the_demo_warehouse_passes_every_data_check(con: duckdb.DuckDBPyConnection) -> None:
    assert checks.run_checks(con) == dict.fromkeys(checks.check_queries(), 0)


def _private_copy(tmp_path: Path) -> str:
    """The demo warehouse for a CLI command: the module's `con` holds `demo_db()` open in this
    process, and the sandboxed read-only connection refuses to share a file with it."""
    shutil.copy(demo_db(), tmp_path / "lso.duckdb")
    return str(tmp_path / "lso.duckdb")


def test_sql_prints_csv_and_json(tmp_path: Path) -> None:
    runner = CliRunner()
    db = _private_copy(tmp_path)
    query = "select section, count(*) as n from articles group by 1 order by 2 desc, 1"
    as_csv = runner.invoke(app, ["--db", db, "sql", query, "--csv"])
    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.reader(io.StringIO(as_csv.output)))
    assert rows[0] == ["section", "n"] and len(rows) == 8
    as_json = runner.invoke(app, ["--db", db, "sql", query, "--json"])
    assert json.loads(as_json.output)[0] == {"section": rows[1][0], "n": int(rows[1][1])}
    wrong = runner.invoke(app, ["--db", db, "sql", "delete from articles"])
    assert isinstance(wrong.exception, UserError) and "read-only" in str(wrong.exception)


def test_stats_reports_articles_runs_quarantine_and_quality(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--db", _private_copy(tmp_path), "stats", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["overview"]["articles"] > 300 and report["overview"]["edited"] == 1
    assert [r["status"] for r in report["runs"]] == ["completed", "completed"]
    assert report["quarantine"][0]["reason"] == "body too short"
    assert {r["layout"] for r in report["data_quality"]} == {"current", "legacy", "quarantined"}
    assert report["checks"]["checks"] == dict.fromkeys(checks.check_queries(), 0)


def test_export_writes_parquet_by_month_and_a_snapshot(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--db", str(demo_db()), "export", "--to", str(tmp_path)])
    assert result.exit_code == 0, result.output
    again = export(demo_db(), tmp_path)  # a second export replaces the first
    months = sorted(p.name for p in (tmp_path / "parquet" / "articles" / "year=2017").iterdir())
    assert months == ["month=10", "month=6", "month=7", "month=8", "month=9"]
    with duckdb.connect(str(tmp_path / SNAPSHOT), read_only=True) as snap:
        parquet = snap.execute(
            f"select count(*) from read_parquet('{tmp_path}/parquet/articles/*/*/*.parquet')"
        ).fetchone()
        assert parquet == snap.execute("select count(*) from articles").fetchone()
        assert parquet == (again["rows"]["articles"],)  # type: ignore[index]
        found = snap.execute("select count(*) from search_articles('nông thôn mới')").fetchone()
        assert found is not None and found[0] > 0
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left


def _piped(db: str, *argv: str) -> str:
    """What the real program writes into a pipe (stdout is not a terminal)."""
    entry = "from lso_etl.cli.main import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", entry, "--db", db, *argv],
        capture_output=True, text=True, timeout=60, env={**os.environ, "COLUMNS": "80"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_stats_and_search_pipe_whole_lines_without_ellipses(tmp_path: Path) -> None:
    """Issue 14: `stats | cat` showed `complet…`, `{'unchan…` and microseconds; `search | cat`
    cut URLs to `https://baolangson.v…`. Off a terminal both print TSV, nothing cut."""
    db = _private_copy(tmp_path)
    stats, found = _piped(db, "stats"), _piped(db, "search", "nong thon moi")
    urls = [
        hit["url"] for hit in json.loads(_piped(db, "search", "nong thon moi", "--json"))["hits"]
    ]
    assert len(urls) >= 3 and "…" not in stats + found
    rows = [line.split("\t") for line in found.splitlines()[1:]]  # after the "# N hits" line
    assert rows[0] == ["score", "published", "section", "headline", "url"]
    assert [row[4] for row in rows[1:]] == urls  # every URL whole, one hit per line
    assert not re.search(r"\d:\d\d:\d\d", stats)  # times to the minute, no microseconds
    assert "'" not in stats and "{" not in stats  # counts as name=value, not a Python dict
    runs = stats.split("# Last runs\n")[1].splitlines()
    header = runs[0].split("\t")
    assert header[:6] == ["run_id", "flow", "status", "started_at", "finished_at", "seconds"]
    first = dict(zip(header, runs[1].split("\t"), strict=True))
    assert first["status"] == "completed" and first["counts"] == "loaded=1 quarantined=1"
    assert re.fullmatch(r"\d+\.\d{1,2}", first["seconds"]) and len(first["started_at"]) == 16


def test_sql_shows_duckdbs_whole_message_with_its_hint_and_caret(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["--db", _private_copy(tmp_path), "sql", "select * from article"]
    )
    message = str(result.exception)
    assert isinstance(result.exception, UserError)
    assert 'Did you mean "articles"' in message and "LINE 1: select * from article" in message
    assert message.splitlines()[-1].strip() == "^"


def test_lso_etl_connect_reads_in_the_site_zone_and_stays_light_to_import(tmp_path: Path) -> None:
    import lso_etl

    with lso_etl.connect(_private_copy(tmp_path)) as con:
        zone = con.execute("select current_setting('TimeZone')").fetchone()
        hits = con.execute("select count(*) from search_articles('nong thon moi')").fetchone()
        assert zone == ("Asia/Ho_Chi_Minh",) and hits is not None and hits[0] > 0
        with pytest.raises(duckdb.Error):  # read-only
            con.execute("delete from articles")
    light = "import sys, lso_etl, lso_etl.extract.parse; print('duckdb' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", light], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stderr


def test_a_section_no_article_is_filed_under_is_named_with_the_ones_there_are(
    tmp_path: Path,
) -> None:
    """A misspelt --section gave "0 hits", as if no article held the words (review-s22)."""
    runner, db = CliRunner(), _private_copy(tmp_path)
    typo = runner.invoke(app, ["--db", db, "search", "cua khau", "--section", "kinh"])
    folded = runner.invoke(
        app, ["--db", db, "search", "cua khau", "--section", "KINH TE", "--json"]
    )
    assert isinstance(typo.exception, UserError)
    message = str(typo.exception)
    assert message.startswith("no section is called 'kinh' (accents and case optional);")
    assert "Kinh tế" in message and "Văn hóa" in message
    hits = json.loads(folded.output)["hits"]
    assert hits and {hit["section"] for hit in hits} == {"Kinh tế"}
