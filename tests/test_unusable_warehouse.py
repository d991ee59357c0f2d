"""A warehouse path DuckDB cannot open (issue 12, item 9): each kind is named for what it is, in
one line, at once, through the real command line, and the file is left exactly as it was."""

from __future__ import annotations

import hashlib
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from lso_etl.cli.main import main
from lso_etl.store import warehouse

BLOCK = 256 * 1024  # DuckDB's block size; the file starts with three 4 KiB headers
HEADERS = 3 * 4096


@pytest.fixture(scope="session")
def real_warehouse(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The bytes of a migrated warehouse big enough to span many blocks."""
    db = tmp_path_factory.mktemp("real") / "lso.duckdb"
    with warehouse.connect(db) as con:
        warehouse.migrate(con)
        con.execute(
            "insert into runs (run_id, flow, base_url, respect_robots, parser_version,"
            " started_at, status) select 'r' || i, 'x', 'http://127.0.0.1:9', true, 'v', now(),"
            " 'completed' from range(100000) t(i)"
        )
    return db.read_bytes()


def _damaged(data: bytes) -> bytes:
    spoiled = bytearray(data)
    spoiled[HEADERS + 100 : HEADERS + 164] = b"\xff" * 64  # inside the first block
    return bytes(spoiled)


# kind -> (the path's content from a real warehouse's bytes, or None for a directory; the words)
KINDS: dict[str, tuple[Callable[[bytes], bytes] | None, str]] = {
    "empty": (lambda _: b"", "is empty (0 bytes), not a DuckDB database"),
    "random": (lambda _: random.Random(12).randbytes(100_000), "is not a DuckDB database"),
    "text": (lambda _: "ghi chú của tôi\n".encode(), "is not a DuckDB database"),
    "truncated": (lambda data: data[:5000], "is truncated"),
    "damaged": (_damaged, "is damaged"),
    "directory": (None, "is a directory, not a DuckDB file"),
}
# The analyst commands (sql, search, stats) open through `store.readonly`, which has its own tests.
COMMANDS = {
    "dry run": ["backfill", "--from", "2017-07-01", "--to", "2017-07-02", "--dry-run"],
    "backfill": ["backfill", "--from", "2017-07-01", "--to", "2017-07-02", "--quiet"],
    "daily": ["daily"],
    "stats": ["stats"],
    "upgrade": ["upgrade"],
}


def _state(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        for p in sorted(folder.rglob("*"))
    }


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("kind", KINDS)
def test_an_unusable_warehouse_is_named_in_one_line_at_once_and_left_untouched(
    kind: str,
    command: str,
    real_warehouse: bytes,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    make, words = KINDS[kind]
    path = tmp_path / "lso.duckdb"
    if make is None:
        path.mkdir()
    else:
        path.write_bytes(make(real_warehouse))
    before = _state(tmp_path)
    monkeypatch.setenv("PREFECT_LOGGING_LEVEL", "WARNING")  # main() sets it: restored after
    argv = ["lso-etl", "--db", str(path), "--base-url", "http://127.0.0.1:9", *COMMANDS[command]]
    monkeypatch.setattr(sys, "argv", argv)
    started = time.monotonic()
    with pytest.raises(SystemExit) as ended:
        main()
    elapsed = time.monotonic() - started
    err = capsys.readouterr().err
    assert ended.value.code == 2
    assert err.count("\n") == 1 and err.startswith(f"error: {path} {words}"), err
    assert "locked" not in err and "Traceback" not in err
    assert elapsed < 5, f"{elapsed:.1f} s: a bad file must not be waited for like a lock"
    assert _state(tmp_path) == before  # not a byte changed, no WAL or lock file left beside it


def _run(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    monkeypatch.setenv("PREFECT_LOGGING_LEVEL", "WARNING")  # main() sets it: restored after
    monkeypatch.setattr(sys, "argv", ["lso-etl", *argv])
    with pytest.raises(SystemExit) as ended:
        main()
    return int(ended.value.code or 0), capsys.readouterr().err


@pytest.mark.parametrize("command", ["upgrade", "daily", "stats"])
@pytest.mark.parametrize("name", ["fetches.parquet", "runs.csv", "rows.json"])
def test_a_data_file_passed_as_the_warehouse_is_refused_not_opened_in_memory(
    name: str,
    command: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """DuckDB 1.5 opens an existing CSV, Parquet or JSON path as an empty in-memory database:
    `upgrade` said it had applied 15 migrations, a daily run crawled into memory and lost it."""
    import duckdb

    path = tmp_path / name
    kind = {"parquet": "parquet", "csv": "csv", "json": "json"}[name.rsplit(".", 1)[1]]
    duckdb.sql(f"copy (select 1 as a, 'x' as b) to '{path}' (format {kind})")
    before = _state(tmp_path)
    code, err = _run(
        ["--db", str(path), "--base-url", "http://127.0.0.1:9", command], monkeypatch, capsys
    )
    assert code == 2
    assert err.count("\n") == 1 and err.startswith(f"error: {path} is not a DuckDB database ("), err
    assert _state(tmp_path) == before  # nor a lock, archive or Prefect folder beside it


def test_a_writer_leaves_another_duckdb_file_and_a_newer_warehouse_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import duckdb

    other, newer = tmp_path / "other" / "mine.duckdb", tmp_path / "newer" / "lso.duckdb"
    other.parent.mkdir()
    with duckdb.connect(str(other)) as con:
        con.execute("create table measurements as select 1 as a")
    with warehouse.connect(newer) as con:
        warehouse.migrate(con)
        con.execute("insert into schema_migrations values ('9001_from_the_future.sql', now())")
        con.execute("checkpoint")
    said = {}
    for path in (other, newer):
        before = _state(path.parent)
        for command in (["upgrade"], ["daily"]):
            code, err = _run(
                ["--db", str(path), "--base-url", "http://127.0.0.1:9", *command],
                monkeypatch,
                capsys,
            )
            said[path.parent.name, command[0]] = (code, err.strip().splitlines()[-1])
            assert _state(path.parent) == before, command
    assert said["other", "upgrade"] == (2, f"error: {other} is a DuckDB file but not an lso-etl"
        " warehouse (1 table(s) or view(s) of its own, no schema_migrations): nothing was written"
        " to it; pass another --db")  # fmt: skip
    assert said["newer", "upgrade"] == (2, f"error: {newer} was written by a newer lso-etl:"
        " 1 migration(s) this version does not know (9001_from_the_future.sql); nothing was"
        " written to it; use that version or a later one")  # fmt: skip
    assert said["other", "daily"][1] == said["other", "upgrade"][1]
    assert said["newer", "daily"][1] == said["newer", "upgrade"][1]


def test_a_reader_reads_a_newer_warehouse_and_says_it_may_miss_what_is_new(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Refusing would lock analysts out of their own data; silence would hide that a newer
    version's tables and columns are not shown. A warning, once per command."""
    newer = tmp_path / "lso.duckdb"
    with warehouse.connect(newer) as con:
        warehouse.migrate(con)
        con.execute("insert into schema_migrations values ('9001_from_the_future.sql', now())")
        con.execute("checkpoint")
    before = _state(tmp_path)
    for command in (["stats"], ["sql", "select count(*) from articles"], ["search", "cua"]):
        caplog.clear()
        code, err = _run(["--db", str(newer), *command], monkeypatch, capsys)
        assert code == 0, err
        warned = [r.getMessage() for r in caplog.records if "newer lso-etl" in r.getMessage()]
        assert len(warned) == 1 and warned[0].startswith(
            f"{newer} was written by a newer lso-etl: 1 migration(s) this version does not know"
            " (9001_from_the_future.sql); what this version shows may miss what that one added:"
            " read it with that version or a later one"
        ), (command, warned)
    assert _state(tmp_path) == before
    # ... and a query of this version that meets what the newer one changed says so, in one
    # line, not as DuckDB's traceback (exit 1, "a run failed")
    with warehouse.connect(newer) as con:
        con.execute("alter table runs rename column counts to counts_v2")
        con.execute("checkpoint")
    code, err = _run(["--db", str(newer), "stats"], monkeypatch, capsys)
    assert code == 2 and err.count("\n") == 1, err
    assert err.startswith(f"error: {newer} was written by a newer lso-etl (1 migration(s) this"
        " version does not know (9001_from_the_future.sql)) and this version cannot read it:"
        ' Binder Error: Referenced column "counts" not found')  # fmt: skip


def test_a_read_only_folder_is_named_as_such_not_as_the_lock_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """(Root ignores file modes, so the kernel's refusal is stood in for: one function mocked.)"""
    from lso_etl.store import writer_lock

    def refused(path: str, *_: object) -> int:
        raise PermissionError(13, "Permission denied", path)

    db = tmp_path / "lso.duckdb"
    with warehouse.connect(db) as con:
        warehouse.migrate(con)
    monkeypatch.setattr(writer_lock.os, "open", refused)
    code, err = _run(["--db", str(db), "upgrade"], monkeypatch, capsys)
    assert code == 2
    assert err == (
        f"error: cannot write beside {db}: {db}.writer is not writable (a run keeps its lock,"
        " archive and Prefect files next to the warehouse); pass a --db in a folder you can"
        " write to\n"
    )


@pytest.mark.parametrize("under", ["lso.duckdb", "a/b/lso.duckdb"])
def test_a_folder_that_cannot_be_created_is_one_line_naming_the_file_in_the_way(
    tmp_path: Path, under: str,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """mkdir says only "File exists" (the folder is a file) or "Not a directory" (a parent is)."""
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    db = blocker / under
    monkeypatch.setenv("PREFECT_LOGGING_LEVEL", "WARNING")
    monkeypatch.setattr(sys, "argv", ["lso-etl", "--db", str(db), "daily"])
    with pytest.raises(SystemExit) as ended:
        main()
    err = capsys.readouterr().err
    assert ended.value.code == 2
    assert err == f"error: cannot create a folder for {db}: {blocker} is a file, not a folder\n"


@pytest.mark.parametrize("target", ["/nonexistent/elsewhere", "link"])  # dangling; a loop
def test_a_link_to_no_folder_in_the_path_is_named_as_such(
    tmp_path: Path, target: str,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """Such a link made mkdir say "File exists", which it does not."""
    link = tmp_path / "link"
    link.symlink_to(target)
    db = link / "lso.duckdb"
    said = {}
    for command in ("daily", "stats"):
        code, err = _run(["--db", str(db), "--base-url", "http://127.0.0.1:9", command],
                         monkeypatch, capsys)  # fmt: skip
        said[command] = (code, err)
    why = f"{link} is a link that leads to no folder ({target})"
    assert said["daily"] == (2, f"error: cannot create a folder for {db}: {why}\n")
    assert said["stats"] == (2, f"error: no warehouse at {db}: {why}\n")


def test_a_warehouse_path_that_is_a_dangling_link_is_refused_and_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run created an empty file at the link's target, then removed the link as a new file
    of its own, and wrote the warehouse where the link had been."""
    db, target = tmp_path / "lso.duckdb", tmp_path / "elsewhere" / "lso.duckdb"
    target.parent.mkdir()
    db.symlink_to(target)
    why = f"{db} is a link to {target}, which leads to no file: pass the warehouse's own path"
    for command, said in (
        ("daily", f"error: {why}"),
        ("stats", f"error: no warehouse at {db}: {why}"),
    ):
        code, err = _run(["--db", str(db), "--base-url", "http://127.0.0.1:9", command],
                         monkeypatch, capsys)  # fmt: skip
        assert code == 2 and err.startswith(said), err
    assert db.is_symlink() and not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere", "lso.duckdb"]


def test_describe_open_error_leaves_a_lock_conflict_to_the_wait(tmp_path: Path) -> None:
    """What another opener (the analyst's read-only one) calls to classify DuckDB's error."""
    import duckdb

    conflict = duckdb.IOException(
        'IO Error: Could not set lock on file "/x/lso.duckdb": Conflicting lock is held in'
        " /usr/bin/python3.11 (PID 4242) by user me."
    )
    assert warehouse.describe_open_error(tmp_path / "lso.duckdb", conflict) is None
    other = duckdb.IOException("IO Error: Could not read from file: Is a directory")
    assert "is a directory" in (warehouse.describe_open_error(tmp_path, other) or "")


def test_a_file_cut_between_blocks_is_named_when_a_query_reads_past_its_end(
    real_warehouse: bytes, tmp_path: Path
) -> None:
    """DuckDB opens it (the header cannot say: it trims free blocks off healthy files too)."""
    path = tmp_path / "lso.duckdb"
    path.write_bytes(real_warehouse[: HEADERS + 3 * BLOCK])
    before = _state(tmp_path)
    scan = "select count(*), sum(length(run_id)) from runs"
    truncated = pytest.raises(warehouse.WarehouseUnusable, match="is truncated")
    with truncated as named, warehouse.connect(path, read_only=True) as con:
        con.execute(scan).fetchall()
    assert str(named.value).startswith(f"{path} is truncated (")
    lease = warehouse.Lease(path, "64MB")
    truncated = pytest.raises(warehouse.WarehouseUnusable, match="is truncated")
    with truncated, lease, lease.connection() as con:
        con.execute(scan).fetchall()
    assert _state(tmp_path) == before
