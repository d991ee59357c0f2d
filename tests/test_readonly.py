"""`lso-etl sql` is read-only for real: every known trick fails in one line and changes nothing.

Each trick runs through the real CLI against a real warehouse file (a few replay articles
crawled over loopback HTTP), from inside the test's own directory so that any file a trick
managed to write would show up in the listing taken before and after.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import pytest
from demo_warehouse import load_replay
from typer.testing import CliRunner

from lso_etl.cli.main import app
from lso_etl.errors import UserError
from lso_etl.replay.model import Corpus
from lso_etl.replay.server import ReplaySite
from lso_etl.store import warehouse
from lso_etl.store.analyst.readonly import NotReadOnly, open_read_only, single_select

WAREHOUSE = "warehouse/lso.duckdb"  # relative to the test's directory, as in the report
TABLES = ("articles", "article_versions", "runs", "url_outcomes", "search_postings", "search_index")
REPORTED_ATTACK = (
    "attach 'x.duckdb' as m (read_only false); use m; detach lso;"
    f" attach '{WAREHOUSE}' as w (read_only false); delete from w.articles"
)
TRICKS = [
    REPORTED_ATTACK,
    "attach 'x.duckdb' as m (read_only false)",  # would create x.duckdb
    f"attach '{WAREHOUSE}' as w (read_only false)",
    "attach ':memory:' as m",
    "detach lso",
    "use memory",
    "copy articles to 'out.csv'",
    "copy (select * from articles) to 'out.parquet' (format parquet)",
    "export database 'dump'",
    "select * from read_text('/etc/passwd')",
    "select * from read_csv('/etc/passwd', sep = ':')",
    "select * from read_text('warehouse/notes.txt')",  # a file beside the warehouse
    # DuckDB's sandbox allows the database's own files and temp folder: the filter must stop it
    "copy articles to 'warehouse/lso.duckdb.tmp/out.csv'",
    "select * from sniff_csv('/etc/passwd')",
    "select * from glob('/*')",
    "select * from 'out.csv'",
    "install fts",
    "load fts",
    "load '/tmp/fts.duckdb_extension'",
    "set enable_external_access = true",
    "reset enable_external_access",
    "set lock_configuration = false",
    "set temp_directory = 'spill'",
    "pragma force_checkpoint",
    "pragma enable_profiling = 'json'",
    "call pragma_version()",
    "checkpoint",
    "create table t as select 1",
    "create temp table t as select 1",
    "delete from articles",
    "update articles set headline = 'x'",
    "begin transaction",
    "select 1; delete from articles",
    "select 1; attach 'x.duckdb' as m",
    "/* select */ attach 'x.duckdb' as m",
    "select * from query('attach ''x.duckdb'' as m')",
    "pragma import_database('warehouse')",  # reads warehouse/schema.sql while *parsing*
    "from duckdb_secrets()",  # lists ~/.duckdb/stored_secrets
    "with gone as (delete from articles returning *) select * from gone",
]


@pytest.mark.parametrize(
    ("query", "typed"),
    [
        ("install httpfs", "INSTALL"),  # DuckDB's statement type: LOAD
        ("force  install httpfs", "FORCE INSTALL"),
        ("force /* c */ checkpoint", "FORCE CHECKPOINT"),  # was FORCE: a comment between
        ("checkpoint", "CHECKPOINT"),  # CALL
        ("/* ôn */ -- Lạng Sơn\n  Use memory", "USE"),  # SET; comments skipped, bytes counted
        ("begin transaction", "BEGIN"),  # TRANSACTION
        ("call duckdb_settings()", "CALL"),
        ("with x as (select 1) delete from articles", "DELETE"),  # a query's word: the type
    ],
)
def test_a_refused_statement_is_named_as_typed(query: str, typed: str) -> None:
    with pytest.raises(NotReadOnly) as refused:
        single_select(query)
    assert str(refused.value) == (
        "sql is read-only: it runs one query (select, from, with, describe, show, summarize),"
        f" not {typed}"
    )


@pytest.fixture(scope="module")
def built(corpus: Corpus) -> Path:
    """A real warehouse of a few replay articles, search included."""
    folder = Path(tempfile.mkdtemp(prefix="lso-readonly-"))
    db = folder / "lso.duckdb"
    with ReplaySite(corpus) as site:
        load_replay(db, site, corpus, [a.path for a in corpus.articles[:8]])
    yield db  # type: ignore[misc]
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def here(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test's directory, holding `warehouse/lso.duckdb`, as the working directory."""
    (tmp_path / "warehouse").mkdir()
    shutil.copy(built, tmp_path / WAREHOUSE)
    (tmp_path / "warehouse" / "notes.txt").write_text("not for sql\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _state(folder: Path) -> tuple[str, dict[str, int], list[str]]:
    """The warehouse's bytes (sha256), its row counts, and every path under `folder`."""
    db = folder / WAREHOUSE
    digest = hashlib.sha256(db.read_bytes()).hexdigest()
    with duckdb.connect(str(db), read_only=True) as con:
        counts = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in TABLES}  # type: ignore[index]
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))
    return digest, counts, files


def _sql(*args: str) -> object:
    return CliRunner().invoke(app, ["--db", WAREHOUSE, "sql", *args])


@pytest.mark.parametrize("trick", TRICKS)
def test_every_trick_fails_in_one_line_and_changes_nothing(here: Path, trick: str) -> None:
    before = _state(here)
    assert before[1]["articles"] == 8
    result = _sql(trick)
    assert isinstance(result.exception, UserError), (trick, result.output, result.exception)  # type: ignore[attr-defined]
    message = str(result.exception)  # type: ignore[attr-defined]
    assert "\n" not in message and "Traceback" not in result.output  # type: ignore[attr-defined]
    assert _state(here) == before  # same bytes, same rows, no new file anywhere


# Table functions that change the instance's state pass as a SELECT and lock_configuration
# does not stop them; the sandbox still keeps them from writing a file, which is what matters.
STATEFUL = [
    "select * from enable_logging(level = 'trace', storage = 'file', storage_config ="
    " {'path': 'logs'}) cross join (select count(*) from articles)",
    "select * from enable_profiling(format = 'json', save_location = 'profile.json')",
    "select * from checkpoint()",
]


@pytest.mark.parametrize("trick", STATEFUL)
def test_state_changing_table_functions_write_nothing(here: Path, trick: str) -> None:
    before = _state(here)
    result = _sql(trick)
    assert result.exit_code == 0, (result.output, result.exception)  # type: ignore[attr-defined]
    assert _state(here) == before


def test_a_pragma_that_reads_files_while_parsing_never_reads_them(here: Path) -> None:
    """DuckDB expands `pragma import_database(DIR)` in the parser, reading DIR/schema.sql: the
    parse that decides whether a text is one query must be sandboxed as well, or the first
    word of any readable schema.sql came back in the syntax error."""
    (here / "elsewhere").mkdir()
    (here / "elsewhere" / "schema.sql").write_text("hunter2 is the password\n")
    (here / "elsewhere" / "load.sql").write_text("")
    before = _state(here)
    result = _sql(f"pragma import_database('{here / 'elsewhere'}')")
    assert isinstance(result.exception, UserError), result.output  # type: ignore[attr-defined]
    assert "disabled by configuration" in str(result.exception)  # type: ignore[attr-defined]
    assert "hunter2" not in str(result.exception) + result.output  # type: ignore[attr-defined]
    assert _state(here) == before


def test_the_reported_attack_ends_in_one_line_through_the_real_entry_point(here: Path) -> None:
    before = _state(here)
    entry = "from lso_etl.cli.main import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", entry, "--db", WAREHOUSE, "sql", REPORTED_ATTACK],
        capture_output=True, text=True, timeout=60, cwd=here,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: sql") and "read-only" in done.stderr
    assert len(done.stderr.strip().splitlines()) <= 2  # one line (rich may wrap it on 80 columns)
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert _state(here) == before


def test_queries_views_macros_and_search_still_work(here: Path) -> None:
    before = _state(here)
    word = "lạng sơn"
    queries = {
        "select count(*) from articles": "8",
        "describe articles": "article_id",
        "pragma table_info('articles')": "headline",
        "select count(*) > 0 from daily_counts": "True",
        f"select count(*) > 0 from search_articles('{word}')": "True",
        "select current_setting('enable_external_access')": "False",
    }
    for query, expected in queries.items():
        result = _sql(query, "--csv")
        assert result.exit_code == 0, (query, result.output, result.exception)  # type: ignore[attr-defined]
        assert expected in result.output, (query, result.output)  # type: ignore[attr-defined]
    found = CliRunner().invoke(app, ["--db", WAREHOUSE, "search", "lang son", "--json"])
    assert found.exit_code == 0 and '"hits": []' not in found.output, found.output
    stats = CliRunner().invoke(app, ["--db", WAREHOUSE, "stats", "--json"])
    assert stats.exit_code == 0 and '"articles": 8' in stats.output, stats.output
    assert _state(here) == before


SANDBOXED = [  # refused by DuckDB itself, even if a statement got past `single_select`
    "attach 'x.duckdb' as m (read_only false)",
    f"attach '{WAREHOUSE}' as w (read_only false)",
    "copy articles to 'out.csv'",
    "export database 'dump'",
    "install fts",
    "set enable_external_access = true",
    "reset enable_external_access",
    "set lock_configuration = false",
    "create table t as select 1",
    "delete from articles",
]


def test_the_connection_itself_refuses_files_and_settings(here: Path) -> None:
    before = _state(here)
    reasons = ("disabled by configuration", "configuration has been locked", "read-only mode",
               "file handle conflict")  # fmt: skip
    with open_read_only(here / WAREHOUSE) as con:
        for statement in SANDBOXED:
            with pytest.raises(duckdb.Error) as caught:
                con.execute(statement)
            assert any(reason in str(caught.value) for reason in reasons), caught.value
        assert con.execute("select count(*) from articles").fetchone() == (8,)
    assert _state(here) == before


def test_a_connection_the_process_already_holds_is_never_sandboxed_behind_its_back(
    here: Path,
) -> None:
    """DuckDB's sandbox settings are per database instance, shared by same-config connections."""
    with warehouse.connect(here / WAREHOUSE, read_only=True) as held:
        with pytest.raises(UserError, match="already holds"), open_read_only(here / WAREHOUSE):
            pass
        held.execute("copy (select 1 as one) to 'kept.csv'")  # its file access is intact
    assert (here / "kept.csv").read_text() == "one\n1\n"
    with open_read_only(here / WAREHOUSE) as first, open_read_only(here / WAREHOUSE) as second:
        assert first.execute("select count(*) from articles").fetchone() == (8,)
        assert second.execute("select current_setting('lock_configuration')").fetchone() == (True,)
        assert second.execute("select current_setting('TimeZone')").fetchone() == (
            warehouse.TIME_ZONE,
        )


def test_a_missing_warehouse_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--db", str(tmp_path / "none.duckdb"), "sql", "select 1"])
    assert isinstance(result.exception, FileNotFoundError) and "no warehouse" in str(
        result.exception
    )
    assert list(tmp_path.iterdir()) == []
