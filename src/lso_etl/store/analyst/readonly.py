"""Read-only for real: the connection `lso-etl sql`, `search` and `stats` run on.

A DuckDB connection opened `read_only` still lets its SQL attach other files (even the
warehouse again, writable, after detaching it), copy or export tables to files, read any file
(`read_text('/etc/passwd')`), install or load extensions and change its own settings. So the
analyst's connection is closed in three layers, each enough against the tricks it covers:
- the file is opened read-only (no statement can change the warehouse in place);
- DuckDB's own sandbox: `enable_external_access = false` (no file or network access from
  SQL: ATTACH of a file, COPY, EXPORT DATABASE, read_csv/read_text/glob, INSTALL) and then
  `lock_configuration = true` (no SET or RESET can undo it);
- `single_select`: the text must be exactly one query (SELECT, FROM, WITH, VALUES, DESCRIBE,
  SHOW, SUMMARIZE), so SET, PRAGMA, CALL, CHECKPOINT, ATTACH, USE and second statements are
  refused before DuckDB sees them.
DuckDB's sandbox still lets SQL read the database's own files (the warehouse, its .wal and
.tmp folder): that is the warehouse, which the analyst may read anyway.
The snapshot `lso-etl export` writes is a plain DuckDB file, so whoever opens it chooses. The
same sandbox there: `con = duckdb.connect(path, read_only=True)`, then
`con.execute("set enable_external_access = false")` and
`con.execute("set lock_configuration = true")` (or call `open_read_only(path)`).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from lso_etl.errors import UserError
from lso_etl.store import warehouse
from lso_etl.store.catalog import check_a_readers_schema, newer_schema_named

log = logging.getLogger(__name__)

# Applied in this order: once the configuration is locked, nothing can be SET again.
LOCKDOWN = ("set enable_external_access = false", "set lock_configuration = true")


class NotReadOnly(UserError):
    """The analyst's SQL asked for something other than one query on the warehouse."""


# A configuration of its own: DuckDB shares one database instance between the connections a
# process opens on a file *with the same configuration*, and the sandbox settings are
# instance-wide. A connection the caller already holds (opened by `warehouse.connect`) would
# silently lose file access and settings too; with a different configuration DuckDB refuses
# to share, and this connection fails in one line instead.
SANDBOX_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "autoinstall_known_extensions": False,  # never the network
    "autoload_known_extensions": False,
    "custom_user_agent": "lso-etl read-only",
}
LOCK_WAIT_SECONDS = 30.0
PARSER_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    **SANDBOX_CONFIG,
    "enable_external_access": False,
    "lock_configuration": True,
}


@contextmanager
def open_read_only(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse, read-only, with file access off and the settings locked.

    Waits for another process's lock like `warehouse.connect`. Search works: views and
    macros need nothing.
    """
    con = _connect(path)
    try:
        # Another sandboxed connection still open in this process shares the instance, and
        # has set it up and locked it already.
        if con.execute("select current_setting('lock_configuration')").fetchone() != (True,):
            con.execute(f"set global TimeZone = '{warehouse.TIME_ZONE}'")  # later connections too
            for statement in LOCKDOWN:
                con.execute(statement)
        _refuse_other_databases(con, path)
        newer = check_a_readers_schema(con, path, warehouse.WAREHOUSE_DIR / "migrations")
        # a file cut between blocks fails only when read
        with warehouse.named_damage(path), newer_schema_named(path, newer):
            yield con
    finally:
        con.close()


def _refuse_other_databases(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """A DuckDB file without the warehouse's tables (a notebook's scratch file, an empty one)
    would fail later as a catalog error in the middle of a command: say what it is now."""
    found = con.execute(
        "select count(*) from duckdb_tables() where database_name = current_database()"
        " and schema_name = 'main' and table_name = 'articles'"
    ).fetchone()
    if found != (1,):
        raise warehouse.WarehouseUnusable(
            f"{path} is a DuckDB file but not an lso-etl warehouse (it has no articles table):"
            " check that --db (LSO_DB) names the warehouse"
        )


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    try:
        return wait_for_lock(path, True, SANDBOX_CONFIG, LOCK_WAIT_SECONDS)  # read at each call
    except duckdb.ConnectionException:
        raise UserError(
            f"this process already holds {path} open on another connection: close it first,"
            " the sandboxed read-only connection cannot share it"
        ) from None


def wait_for_lock(
    path: Path,
    read_only: bool,
    config: dict[str, str | bool | int | float | list[str]],
    wait_seconds: float = LOCK_WAIT_SECONDS,
) -> duckdb.DuckDBPyConnection:
    """Open `path`, waiting up to `wait_seconds` while another process holds its lock.

    A lock that outlasts the wait, a missing file or one that is no warehouse is a one-line
    `UserError` (`WarehouseBusy`, `WarehouseUnusable`, `FileNotFoundError` for a missing
    file), named by `warehouse.connect`. The wait is logged once, not once a second.
    """
    deadline = time.monotonic() + wait_seconds
    waiting = False
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only, config=config)
            if waiting:
                warehouse.lock_wait_over(log, path, wait_seconds - (deadline - time.monotonic()))
            return con
        except duckdb.ConnectionException:
            raise  # this process's own other connection: waiting cannot help
        except duckdb.Error as exc:
            if "Conflicting lock" not in str(exc):
                failure = str(exc).splitlines()[0]
                break
            if time.monotonic() >= deadline:
                raise warehouse.WarehouseBusy(
                    f"{path} is held open by another process ({_holder(exc)}: a run, or a"
                    f" notebook?) and was still locked after {wait_seconds:.0f} s; close it,"
                    " retry later, or read a snapshot instead (`lso-etl export`)"
                ) from None
            if not waiting:
                log.warning("warehouse %s is locked by %s; waiting up to %.0f s", path,
                            _holder(exc), wait_seconds, extra=warehouse.LOCK_WAIT_STARTS)  # fmt: skip
                waiting = True
            time.sleep(1.0)
    # Missing, not a warehouse: `warehouse.connect` names each in one line.
    with warehouse.connect(path, read_only=True, wait_seconds=0):
        pass
    raise UserError(f"{path} did not open: {failure}")


def _holder(error: duckdb.Error) -> str:
    found = re.search(r"Conflicting lock is held in (.+?) \(PID (\d+)\)", str(error))
    return f"process {found[2]}, {Path(found[1]).name}" if found else "another process"


def open_for_notebook(
    path: Path, read_only: bool = True, wait_seconds: float = LOCK_WAIT_SECONDS
) -> duckdb.DuckDBPyConnection:
    """A plain connection for a notebook (`lso_etl.connect`): waits for a run's lock, shows
    times in the site's zone; no sandbox (your files are
    yours to join), and no extension downloads."""
    config: dict[str, str | bool | int | float | list[str]] = {
        "autoinstall_known_extensions": False,
        "custom_user_agent": "lso-etl notebook",
    }
    con = wait_for_lock(path, read_only, config, wait_seconds)
    try:
        con.execute(f"set TimeZone = '{warehouse.TIME_ZONE}'")
    except BaseException:
        con.close()
        raise
    return con


def single_select(query: str) -> str:
    """`query` if it is exactly one read-only query; a one-line `NotReadOnly` otherwise.

    DuckDB's own parser decides (`extract_statements`), so comments, case and quoting cannot
    disguise a statement's kind. A PRAGMA that only reads (`pragma table_info('articles')`)
    is parsed as a SELECT and passes.
    The parser runs sandboxed too: DuckDB expands a PRAGMA while parsing, and
    `pragma import_database('DIR')` then reads DIR/schema.sql and DIR/load.sql; on the
    module's default connection that read any such file and echoed its first word in the
    syntax error.
    """
    try:
        with duckdb.connect(":memory:", config=PARSER_CONFIG) as parser:
            statements = parser.extract_statements(query)
    except duckdb.Error as exc:
        raise UserError(explain_refusal(exc)) from None  # whole: the caret line shows where
    if not statements:
        raise NotReadOnly(
            'the query is empty: give one, e.g. lso-etl sql "select count(*) from articles"'
        )
    if len(statements) != 1:
        raise NotReadOnly(
            f"sql runs exactly one query, read-only; this text holds {len(statements)} statements"
        )
    kind = statements[0].type
    if kind != duckdb.StatementType.SELECT:
        raise NotReadOnly(
            f"sql is read-only: it runs one query (select, from, with, describe, show,"
            f" summarize), not {_typed(query, kind)}"
        )
    return query


QUERY_WORDS = {"select", "from", "with", "values", "describe", "show", "summarize"}


def _typed(query: str, kind: duckdb.StatementType) -> str:
    """The refused statement's first keyword as typed, comments skipped (`install httpfs`:
    INSTALL; DuckDB's type for it is LOAD, for CHECKPOINT it is CALL, for USE it is SET).
    A query's word first (`with x as (...) delete from t`) names the type: DELETE."""
    text = query.encode()
    words = [  # DuckDB's own lexer: (byte offset, kind) of each token, comments left out
        match[0].decode().upper()
        for offset, token in duckdb.tokenize(query)[:2]
        if token == duckdb.token_type.keyword
        and (match := re.match(rb"[A-Za-z_]+", text[offset:])) is not None
    ]
    if not words or words[0].lower() in QUERY_WORDS:
        return kind.name
    return " ".join(words) if words[0] == "FORCE" else words[0]  # FORCE INSTALL


def explain_refusal(error: duckdb.Error) -> str:
    """A DuckDB error for the analyst: one line saying why when it is the sandbox that refused,
    otherwise DuckDB's whole message (its `Did you mean "articles"?`, candidates, caret line)."""
    first = str(error).splitlines()[0]
    if isinstance(error, duckdb.PermissionException) or "configuration has been locked" in first:
        return (
            f"sql is read-only and reads only the warehouse ({first}); to join other files,"
            " open an export's snapshot in your own DuckDB (`lso-etl export --to DIR`)"
        )
    if "read-only mode" in first:
        return f"sql is read-only ({first})"
    if "Expected a single SELECT statement" in first:  # query('...') holding another kind
        return f"sql is read-only: a nested query('...') must be one select ({first})"
    return str(error).rstrip()
