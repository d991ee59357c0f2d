"""Every command, fed bad input through the real entry point (`main()`), ends in one clear
`error:` line and the exit code of its kind (`cli.exits`), never a traceback (issue 14).

Bad input is refused before the flow engine starts, so the sweep needs no Prefect server.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
import typer
from typer.core import TyperGroup

from lso_etl.cli import main as cli_main
from lso_etl.cli import runs as cli_runs
from lso_etl.cli.exits import ExitCode
from lso_etl.store import warehouse
from lso_etl.store.analyst import readonly

CLOSED = "http://127.0.0.1:9"  # discard port: nothing listens, a probe is refused at once
USAGE, BUSY = ExitCode.USAGE, ExitCode.BUSY

# (argv after the global options, exit code, words the error line holds). MISSING: a path
# that does not exist; DIR: a folder where the warehouse file should be; WAREHOUSE: an empty,
# migrated warehouse; PAGE: a saved page; BUSY_PORT: a port another socket listens on.
CASES: list[tuple[list[str], int, str]] = [
    (["--db", "DIR", "demo"], USAGE, "is a directory"),
    (["demo", "--fast"], USAGE, "No such option: --fast"),
    (["--db", "DIR", "daily"], USAGE, "is a directory"),
    (
        ["daily", "--db", "WAREHOUSE"],
        USAGE,
        f"before the command: lso-etl --base-url {CLOSED} --db",
    ),
    (["backfill", "--from", "2017-02-30", "--to", "2017-03-01"], USAGE, "February 2017 has 28"),
    (["backfill", "--from", "2016-02-30", "--to", "2017-03-01"], USAGE, "February 2016 has 29"),
    (["backfill", "--from", "2017-13-01", "--to", "2017-12-31"], USAGE, "no month 13"),
    (["backfill", "--from", "", "--to", "2017-03-01"], USAGE, "not a date like 2017-07-01"),
    (
        ["backfill", "--from", "2017-07-01", "--to", "2017-07-31", "--chunk-days", "0"],
        USAGE,
        "at least 1 day",
    ),
    (
        ["backfill", "--from", "2017-07-01", "--to", "2017-07-31", "--chunk-days", "-3"],
        USAGE,
        "at least 1 day",
    ),
    (
        ["backfill", "--from", "2017-07-01", "--to", "2017-07-31", "--chunk-days", "x"],
        USAGE,
        "Invalid value for '--chunk-days'",
    ),
    (["backfill", "--from", "2017-07-31", "--to", "2017-07-01"], USAGE, "is before --from"),
    (["backfill", "--from", "2017-07-01"], USAGE, "Missing option '--to'"),
    (["backfill", "--from", "9000-01-01", "--to", "9000-12-31"], USAGE, "after today"),
    (["serve"], USAGE, "PREFECT_API_URL"),
    (["serve", "--bogus"], USAGE, "No such option: --bogus"),
    (["probe", "/x-5047056.html"], ExitCode.UNREACHABLE, "unreachable"),
    (
        ["--base-url", "ftp://example.org", "probe", "/x.html"],
        USAGE,
        "error: --base-url='ftp://example.org' is not allowed",
    ),
    (["probe"], USAGE, "Missing argument"),
    (["parse", "MISSING", "--url", "https://baolangson.vn/a-1.html"], USAGE, "cannot read"),
    (["parse", "DIR", "--url", "https://baolangson.vn/a-1.html"], USAGE, "Is a directory"),
    (["parse", "PAGE"], USAGE, "Missing option '--url'"),
    (
        ["parse", "PAGE", "--url", "https://baolangson.vn/a-1.html", "--fetched-at", "soon"],
        USAGE,
        "not an ISO 8601 time",
    ),
    (["--db", "MISSING", "reparse"], USAGE, "no warehouse at"),
    (["reparse", "--from", "2017-04-31"], USAGE, "April 2017 has 30 days"),
    (["reparse", "--from", "2017-07-02", "--to", "2017-07-01"], USAGE, "is before --from"),
    (["replay", "--port", "BUSY_PORT"], USAGE, "already in use"),
    (["replay", "--port", "70000"], USAGE, "Invalid value for '--port'"),
    (["replay", "--port", "-1"], USAGE, "Invalid value for '--port'"),
    (["--db", "WAREHOUSE", "sql", ""], USAGE, "the query is empty"),
    (["--db", "WAREHOUSE", "sql", "   ;  "], USAGE, "the query is empty"),
    (["--db", "MISSING", "sql", "select 1"], USAGE, "no warehouse at"),
    (["--db", "DIR", "sql", "select 1"], USAGE, "is a directory"),
    (["--db", "WAREHOUSE", "sql", "select 1; select 2"], USAGE, "2 statements"),
    (
        ["--db", "WAREHOUSE", "sql", "-- the count\nselect 1"],  # a comment first: an "option"
        USAGE,
        "text that starts with '-' goes after '--': lso-etl sql -- '…'",
    ),
    (["--db", "WAREHOUSE", "sql", "--hi"], USAGE, "--help); text that starts with '-' goes after"),
    (
        ["--db", "WAREHOUSE", "sql", "install httpfs"],
        USAGE,
        "error: sql is read-only: it runs one query (select, from, with, describe, show,"
        " summarize), not INSTALL\n",
    ),
    (["--db", "WAREHOUSE", "sql", "checkpoint"], USAGE, "summarize), not CHECKPOINT\n"),
    (["sql", "select 1", "--db", "WAREHOUSE"], USAGE, "global options such as --db"),
    (["--db", "WAREHOUSE", "search", ""], USAGE, "has no words to find"),
    (["--db", "WAREHOUSE", "search", "?!"], USAGE, "has no words to find"),
    (["--db", "WAREHOUSE", "search", "x", "--from", "2017-02-29"], USAGE, "February 2017 has 28"),
    (["--db", "WAREHOUSE", "search", "x", "--limit", "0"], USAGE, "Invalid value for '--limit'"),
    (["--db", "WAREHOUSE", "search", '""'], USAGE, "has no words to find"),
    (["--db", "WAREHOUSE", "search", "x", "--engine", "fts"], USAGE, "No such option: --engine"),
    (["--db", "MISSING", "search", "x"], USAGE, "no warehouse at"),
    (["stats", "--db", "WAREHOUSE"], USAGE, f"lso-etl --base-url {CLOSED} --db WAREHOUSE stats"),
    (["--db", "MISSING", "stats"], USAGE, "no warehouse at"),
    (["--db", "DIR", "stats"], USAGE, "is a directory"),
    (["--db", "MISSING", "export", "--to", "OUT"], USAGE, "no warehouse at"),
    (["--db", "WAREHOUSE", "export", "--to", "PAGE"], USAGE, "PAGE"),
    (
        ["--db", "WAREHOUSE", "export", "--to", "UNDER_PAGE"],
        USAGE,
        "export to UNDER_PAGE failed: PAGE is a file, not a folder",
    ),
    (
        ["--db", "WAREHOUSE", "report", "-o", "UNDER_PAGE"],
        USAGE,
        "cannot write the report to UNDER_PAGE: PAGE is a file, not a folder",
    ),
    (
        ["--db", "UNDER_PAGE", "daily"],
        USAGE,
        "cannot create a folder for UNDER_PAGE: PAGE is a file, not a folder",
    ),
    (["--db", "UNDER_PAGE", "stats"], USAGE, "no warehouse at UNDER_PAGE: PAGE is a file, not a"),
    (
        ["backfill", "--from", "2017-07-01", "--to", "2017-07-02", "--source", "babel"],
        USAGE,
        "--source='babel' is not allowed: site or wayback or commoncrawl or auto",
    ),
    (
        ["backfill", "--from", "2017-07-01", "--to", "2017-07-02", "--capture", "middle"],
        USAGE,
        "--capture='middle' is not allowed: earliest or latest",
    ),
    (["--db", "WAREHOUSE", "show"], USAGE, "Missing argument 'article'"),
    (["--db", "WAREHOUSE", "show", "new:1"], USAGE, "no article 'new:1' in the warehouse"),
    (["--db", "WAREHOUSE", "show", "https://example.org/a-5000376.html"], USAGE, "no article"),
    (["--db", "MISSING", "show", "new:1"], USAGE, "no warehouse at"),
    (["--db", "DIR", "show", "new:1", "--raw"], USAGE, "is a directory"),
    (
        ["--db", "WAREHOUSE", "show", "new:1", "--raw", "--json"],
        USAGE,
        "error: --raw and --json do not go together: --raw writes the archived page's bytes",
    ),
    (["--db", "MISSING", "show", "new:1", "--json", "--raw"], USAGE, "--raw and --json do not"),
    (
        ["--db", "MISSING", "show", "new:1", "--db", "WAREHOUSE"],
        USAGE,
        f"before the command: lso-etl --base-url {CLOSED} --db WAREHOUSE show new:1",
    ),
    (["--db", "WAREHOUSE", "report", "--from", "2017-02-30"], USAGE, "February 2017 has 28"),
    (
        ["--db", "WAREHOUSE", "report", "--from", "2017-08-01", "--to", "2017-07-01"],
        USAGE,
        "--to 2017-07-01 is before --from 2017-08-01",
    ),
    (["--db", "MISSING", "report"], USAGE, "no warehouse at"),
    (["--db", "MISSING", "upgrade"], USAGE, "no warehouse at"),
    (["--db", "DIR", "upgrade"], USAGE, "is a directory"),
    (["--db", "WAREHOUSE", "report", "-o", "DIR"], USAGE, "DIR is a folder: name the page's file"),
    (["--db", "WAREHOUSE", "report", "--bogus"], USAGE, "No such option: --bogus"),
    (["--db", "WAREHOUSE", "stats", "--csv"], USAGE, "No such option: --csv"),
    (["--db", "WAREHOUSE", "reparse", "--to", "July"], USAGE, "not a date like 2017-07-01"),
    (["export"], USAGE, "Missing option '--to'"),
    (["--bogus"], USAGE, "No such option: --bogus"),
    (["nonsense"], USAGE, "No such command 'nonsense'"),
]


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    root = tmp_path_factory.mktemp("bad")
    (root / "dir.duckdb").mkdir()
    (root / "page.html").write_text("<html><body><p>x</p></body></html>")
    with warehouse.connect(root / "lso.duckdb") as con:
        warehouse.migrate(con)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield {
            "DIR": str(root / "dir.duckdb"), "MISSING": str(root / "missing.duckdb"),
            "WAREHOUSE": str(root / "lso.duckdb"), "PAGE": str(root / "page.html"),
            "BUSY_PORT": str(taken.getsockname()[1]), "OUT": str(root / "out"),
            "UNDER_PAGE": str(root / "page.html" / "export"),
        }  # fmt: skip


def _run(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str, float]:
    monkeypatch.setattr(sys, "argv", ["lso-etl", "--base-url", CLOSED, *argv])
    started = time.monotonic()
    with pytest.raises(SystemExit) as ended:
        cli_main.main()
    captured = capsys.readouterr()
    return int(ended.value.code or 0), captured.out, captured.err, time.monotonic() - started


@pytest.mark.parametrize(("argv", "code", "words"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_bad_input_ends_in_one_error_line_and_its_exit_code(
    argv: list[str], code: int, words: str, places: dict[str, str],
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("PREFECT_LOGGING_LEVEL", "WARNING")  # main() sets it: restored after
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setenv("LSO_MAX_ATTEMPTS", "1")
    real = [places.get(word, word) for word in argv]
    status, out, err, seconds = _run(real, monkeypatch, capsys)
    assert "Traceback" not in out + err
    assert ".lso-export-" not in err and ".tmp" not in err  # the path typed, not a staging one
    assert status == code, (status, out, err)
    error = err.strip().splitlines()[-1] if err.strip() else ""
    for placeholder, value in sorted(places.items(), key=lambda item: -len(item[0])):
        words = words.replace(placeholder, value)  # UNDER_PAGE before PAGE
    assert words in err, err
    if code == USAGE:
        assert error.startswith("error: ") and err.count("error: ") == 1, err
    assert seconds < 10, f"{seconds:.1f} s: bad input must be refused before any real work"


def test_the_sweep_covers_every_command() -> None:
    """Every command the app has (as `lso-etl --help` lists them), a command added later too."""
    commands = typer.main.get_command(cli_main.app)
    assert isinstance(commands, TyperGroup)
    listed = set(commands.commands)
    assert {"backfill", "daily", "demo", "show", "report", "replay"} <= listed
    swept = {word for argv, _, _ in CASES for word in argv}
    assert listed - swept == set()


@pytest.mark.parametrize(
    ("variable", "flag", "value"),
    [
        ("LSO_BASE_URL", "--base-url", "127.0.0.1:8811"),
        ("LSO_BASE_URL", "--base-url", " http://127.0.0.1:8811"),  # urlsplit drops the space
        ("LSO_BASE_URL", "--base-url", "http://127.0.0.1:8811\t"),
        ("LSO_DB", "--db", "caf\udce9.db"),
        ("LSO_DB", "--db", "~nosuchuser/x.duckdb"),  # was pathlib's RuntimeError, a traceback
    ],
)
def test_a_bad_setting_is_named_as_given_the_option_typed_or_the_variable(
    variable: str, flag: str, value: str,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """Settings check every value as its LSO_ variable; one typed as an option is named so."""
    shown = repr(value.encode(errors="surrogateescape").decode(errors="replace"))
    for given, argv, named in (
        ("option", [flag, value, "stats"], flag),
        ("variable", ["stats"], variable),
    ):
        if given == "variable":
            monkeypatch.setenv(variable, value)
        monkeypatch.setattr(sys, "argv", ["lso-etl", *argv])
        with pytest.raises(SystemExit) as ended:
            cli_main.main()
        err = capsys.readouterr().err
        assert ended.value.code == USAGE and err.count("\n") == 1, err
        assert err.startswith(f"error: {named}={shown} is not "), err


def test_a_warehouse_locked_for_the_whole_wait_exits_75_in_one_line(
    places: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Another process holds the file: `sql` and `daily` wait, then exit 75 (EX_TEMPFAIL), not
    2 (usage), with one error line and no Prefect traceback (the flow never starts)."""
    db = places["WAREHOUSE"]
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, sys, time; c = duckdb.connect({db!r});"
         " print('held', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        monkeypatch.setattr(cli_runs, "LOCK_WAIT_SECONDS", 1.0)
        monkeypatch.setattr(readonly, "LOCK_WAIT_SECONDS", 1.0)
        monkeypatch.setenv("PREFECT_LOGGING_LEVEL", "WARNING")
        for argv in (["--db", db, "sql", "select 1"], ["--db", db, "daily"]):
            status, out, err, _ = _run(argv, monkeypatch, capsys)
            assert status == BUSY, (argv, err)
            assert "Traceback" not in out + err and "prefect" not in err.lower()
            assert err.count("error: ") == 1 and "still locked after 1 s" in err, err
            assert err.count("locked by") <= 2, err  # the wait is announced, not ticked
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()


def test_version_and_help_are_clean(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _, _ = _run(["--version"], monkeypatch, capsys)
    assert status == 0 and out.startswith("lso-etl 0.") and out.count("\n") == 1
    commands = typer.main.get_command(cli_main.app)
    assert isinstance(commands, TyperGroup)
    for argv in (["--help"], *([name, "--help"] for name in commands.commands)):
        status, out, _, _ = _run(argv, monkeypatch, capsys)
        assert status == 0, argv
        assert "<bool>" not in out and "lazily" not in out and "…" not in out, out
        # An option's value is named (--from DAY, --limit N), not typed (<str>, <int range>);
        # an argument still shows typer's type after its name.
        assert not re.search(r"--[a-z-]+ <", out), out
        assert "..." not in out.split("Commands:")[-1] or "Commands:" not in out, out
