"""The analyst's commands against the obvious wrong thing: one `error:` line, the usage code.

Run through `cli.entry.run`, as the `lso-etl` program does, so what is checked is what the
user sees: the exit code, stderr's one line, and no traceback.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from lso_etl.cli.entry import run
from lso_etl.cli.exits import ExitCode
from lso_etl.cli.main import app
from lso_etl.errors import UserError
from lso_etl.store import warehouse


@pytest.fixture
def empty_warehouse(tmp_path: Path) -> Path:
    db = tmp_path / "lso.duckdb"
    with warehouse.connect(db) as con:
        warehouse.migrate(con)
    return db


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    said = capsys.readouterr().err.strip().splitlines()
    assert len(said) == 1 and said[0].startswith("error: "), said
    return said[0]


@pytest.mark.parametrize("to", ["", ".", "pages"])
def test_report_to_a_folder_is_one_line_naming_the_folder(
    empty_warehouse: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    to: str,
) -> None:
    """`--to pages` (a folder), `--to .` or an empty `--to` are not a page's path: said so, no
    temporary file's name in the message and none left behind."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pages").mkdir()
    before = sorted(p.name for p in tmp_path.rglob("*"))
    code = run(app, ["--db", str(empty_warehouse), "report", "--to", to])
    assert code == ExitCode.USAGE
    said = _one_error_line(capsys)
    assert "folder" in said and ".tmp" not in said, said
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


@pytest.mark.parametrize("command", [["show", "1"], ["search", "nong"], ["stats"], ["report"]])
def test_a_duckdb_file_that_is_no_warehouse_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    """`--db` naming some other DuckDB file (a notebook's scratch file, an empty one): a
    `UserError` that says so, not DuckDB's catalog error as a traceback."""
    db = tmp_path / "scratch.duckdb"
    duckdb.connect(str(db)).close()
    code = run(app, ["--db", str(db), *command])
    assert code == ExitCode.USAGE
    assert "not an lso-etl warehouse" in _one_error_line(capsys)


def test_search_with_to_before_from_is_refused_not_zero_hits(
    empty_warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Swapped dates found nothing and said "0 hits": the analyst concluded the words were
    never printed. `report` and `backfill` refuse the same range."""
    argv = ["--db", str(empty_warehouse), "search", "nong", "--from", "2018-01-01"]
    assert run(app, [*argv, "--to", "2017-01-01"]) == ExitCode.USAGE
    assert "before --from" in _one_error_line(capsys)


def test_show_finds_an_article_by_the_url_a_browser_gives() -> None:
    """Pasted from the address bar: http, no scheme, www, a #fragment or ?utm query. Another
    host's URL with the same number is still no article."""
    from lso_etl.cli.commands.show import resolve

    with duckdb.connect() as con:  # resolve reads article_id and url only
        con.execute("create table articles (article_id varchar, url varchar)")
        con.execute(
            "insert into articles values ('new:5000376', ?), ('old:280923', ?)",
            ["https://baolangson.vn/tiem-chung-5000376.html",
             "https://baolangson.vn/kinh-te/thuong-mai/280923-hon-692-tan.html"],
        )  # fmt: skip
        for given, expected in [
            ("http://baolangson.vn/tiem-chung-5000376.html", "new:5000376"),
            ("baolangson.vn/tiem-chung-5000376.html?utm_source=fb", "new:5000376"),
            ("https://www.baolangson.vn/tiem-chung-5000376.html#binh-luan", "new:5000376"),
            ("https://baolangson.vn/kinh-te/thuong-mai/280923-hon-692-tan.html#a", "old:280923"),
            (
                "https://web.archive.org/web/20170604055100/https://baolangson.vn/tiem-chung-5000376.html",
                "new:5000376",
            ),
            (
                "http://127.0.0.1:8/web/20170604055100id_/http://baolangson.vn/tiem-chung-5000376.html",
                "new:5000376",
            ),
        ]:
            assert resolve(con, given) == expected, given
        for elsewhere in [
            "https://example.com/tiem-chung-5000376.html",
            "http://[x",
            "[",
            "https://web.archive.org/web/2017/https://example.com/x-5000376.html",
        ]:
            with pytest.raises(UserError, match="no article"):
                resolve(con, elsewhere)


def test_show_prints_changed_fields_without_python_repr(capsys: pytest.CaptureFixture[str]) -> None:
    """A field that was empty printed `None`, and a headline with an apostrophe `it\\'s`:
    Python's repr, which a reader of the diff should never have to decode."""
    from lso_etl.cli.commands.show import print_article

    change = {"from_version": 1, "to_version": 2, "changed_at": None}
    changes = [
        {**change, "field": "modified_at", "before": None, "after": "2017-06-03 10:00:00+07"},
        {**change, "field": "headline", "before": "Na Chi Lăng", "after": 'Na "Chi Lăng" it\'s'},
    ]
    print_article({"article_id": "old:280923", "body": "Đoạn."}, [], changes)
    printed = capsys.readouterr().out
    assert "None" not in printed and "\\'" not in printed, printed
    assert '  modified_at: (none) -> "2017-06-03 10:00:00+07"' in printed
    assert '  headline: "Na Chi Lăng" -> "Na \\"Chi Lăng\\" it\'s"' in printed


def test_sql_csv_writes_lists_and_structs_as_json(
    empty_warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`tags` and `images` came out as Python's repr (`['Bình Gia']`, `{'src': ...}`), which no
    spreadsheet or CSV reader can take apart; JSON can."""
    import csv
    import io
    import json

    query = "select ['Bình Gia', 'it''s'] as tags, [{'src': 'a.jpg', 'caption': null}] as images"
    assert run(app, ["--db", str(empty_warehouse), "sql", query, "--csv"]) == ExitCode.OK
    header, row = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert header == ["tags", "images"]
    assert json.loads(row[0]) == ["Bình Gia", "it's"]
    assert json.loads(row[1]) == [{"src": "a.jpg", "caption": None}]


def test_report_that_cannot_be_written_names_the_path_given(
    empty_warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The message named the hidden temporary file (`.r.html.x1y2.tmp`), not the path typed."""
    (tmp_path / "notes.txt").write_text("a file, not a folder")
    target = tmp_path / "notes.txt" / "r.html"
    code = run(app, ["--db", str(empty_warehouse), "report", "--to", str(target)])
    assert code == ExitCode.USAGE
    said = _one_error_line(capsys)
    assert str(target) in said and ".tmp" not in said, said


def test_report_on_a_read_only_disk_is_a_user_error(
    empty_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """EROFS (a read-only mount) is an OSError no handler named: it was a traceback. A mount
    cannot be made read-only in a test, so the write is made to fail as the kernel would."""
    import errno
    import os

    from lso_etl.store.analyst.report import build_report

    def read_only_disk(*_: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(os, "replace", read_only_disk)
    with pytest.raises(UserError, match="Read-only file system"):
        build_report(empty_warehouse, tmp_path / "r.html")
    assert list(tmp_path.glob("*.tmp")) == list(tmp_path.glob(".*.tmp")) == []


def test_report_to_a_day_before_the_first_article_is_no_inverted_range() -> None:
    """`report --to 2000-01-01` on articles from 2017: the window ran 2017-06-01..2000-01-01,
    and the page said so."""
    from datetime import date

    from lso_etl.store.analyst.report.data import windows

    with duckdb.connect() as con:  # windows() reads these two columns only
        con.execute(
            "create table articles as select timestamptz '2017-06-01 10:00:00+07' as published_at"
        )
        con.execute(
            "create table runs as select timestamptz '2026-11-29 10:00:00+07' as started_at"
        )
        for window in windows(con, None, date(2000, 1, 1)):
            assert window.first <= window.last == date(2000, 1, 1), window


@pytest.mark.parametrize("command", [["search", "nong"], ["stats"], ["sql", "select 1"]])
def test_output_to_a_full_disk_is_one_line(empty_warehouse: Path, command: list[str]) -> None:
    """`lso-etl show ID --raw > page.html` on a full disk: a traceback, then Python's own
    complaint while flushing at exit. /dev/full fails every write with ENOSPC, as a full disk."""
    import subprocess
    import sys

    program = "from lso_etl.cli.main import main; main()"
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [sys.executable, "-c", program, "--db", str(empty_warehouse), *command],
            stdout=full, stderr=subprocess.PIPE, text=True, check=False, timeout=60,
        )  # fmt: skip
    assert done.returncode == ExitCode.USAGE, done.stderr
    assert done.stderr.splitlines() == ["error: cannot write the output: No space left on device"]
