"""Why a warehouse path cannot be used, in one line a person can act on.

DuckDB answers a lock held by another process, an empty file, a text file, a directory, a
truncated file and a damaged one all with `IOException`. Only the first is worth waiting for
(the holder will close it); the others never heal by themselves, so waiting would only delay
the bad news. `describe_open_error` tells them apart; `connect` (store/warehouse.py) uses it,
and so should any other opener of the warehouse or of a snapshot.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb

from lso_etl.errors import UserError

# DuckDB's words for each case (1.5.5; also 2.0.x). A lock conflict reads
# 'Could not set lock on file "…": Conflicting lock is held in … (PID n)'.
LOCK_CONFLICT = "Could not set lock on file"
NOT_DUCKDB = "not a valid DuckDB database file"
TRUNCATED = "Could not read enough bytes"
DAMAGED = ("Corrupt database file", "does not match stored checksum")
OTHER_VERSION = "version number"
DUCKDB_MAGIC = b"DUCK"  # bytes 8..12 of every DuckDB database file
MAGIC_AT = slice(8, 12)
RESTORE = (
    "restore it from a backup (or move it aside to start a new warehouse), or pass another --db"
)


class WarehouseUnusable(UserError):
    """The path names something DuckDB cannot open as a database, now or after any wait."""


def is_lock_conflict(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.Error) and LOCK_CONFLICT in str(exc)


def is_damage(exc: BaseException) -> bool:
    """An error met while reading an opened file that says the file itself is cut or damaged."""
    text = str(exc)
    return isinstance(exc, duckdb.IOException) and (
        TRUNCATED in text or any(word in text for word in DAMAGED)
    )


def refuse_foreign_path(path: Path) -> None:
    """Raise WarehouseUnusable, before anything opens or writes beside it, if `path` is a
    directory or an existing file that is no DuckDB database.

    DuckDB 1.5 opens an existing CSV, Parquet or JSON path as an empty in-memory database with
    the file as a view, and says nothing: a run then loaded into memory and lost it all, and
    `upgrade` reported migrations applied to nothing. A DuckDB file has "DUCK" at byte 8. (A
    run's writer lock is taken first: refused here, no lock file is left beside the file.)"""
    if path.is_dir():
        raise WarehouseUnusable(_directory(path))
    # DuckDB would create the file at a dangling link's target, and a run's cleanup of a new
    # file would remove the link
    if said := dangling_link(path):
        raise WarehouseUnusable(said)
    size = _size(path)
    if path.is_file() and size and _magic(path) != DUCKDB_MAGIC:
        raise WarehouseUnusable(
            f"{path} is not a DuckDB database ({size} bytes without DuckDB's header: a CSV,"
            " Parquet or other file?): check that --db (LSO_DB) names the warehouse"
        )


def dangling_link(path: Path) -> str:
    """What `path` is when it is a link that leads to no file (a loop, a target gone); ''."""
    if not path.is_symlink() or path.exists():
        return ""
    return (
        f"{path} is a link to {os.readlink(path)}, which leads to no file: pass the warehouse's"
        " own path with --db (LSO_DB)"
    )


def _directory(path: Path) -> str:
    return f"{path} is a directory, not a DuckDB file: pass a file path, e.g. --db {path / 'lso.duckdb'}"


def describe_open_error(path: Path, exc: BaseException) -> str | None:
    """One line naming what `path` is and what to do; None for a lock conflict (wait for it)."""
    if is_lock_conflict(exc):
        return None
    if path.is_dir():
        return _directory(path)
    size = _size(path)
    text = str(exc)
    if size == 0:
        return f"{path} is empty (0 bytes), not a DuckDB database: {RESTORE}"
    if NOT_DUCKDB in text and _magic(path) != DUCKDB_MAGIC:
        return (
            f"{path} is not a DuckDB database ({size} bytes without DuckDB's header): check that"
            " --db (LSO_DB) names the warehouse"
        )
    if TRUNCATED in text:
        return f"{path} is truncated ({size} bytes, shorter than the database it holds): {RESTORE}"
    if any(word in text for word in DAMAGED):
        return f"{path} is damaged (a block fails its checksum): {RESTORE}"
    if OTHER_VERSION in text:
        return f"{path} was written by an incompatible DuckDB version ({_first_line(text)})"
    return f"{path} cannot be opened as a DuckDB warehouse: {_first_line(text)}"


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


def _magic(path: Path) -> bytes:
    try:
        with path.open("rb") as file:
            return file.read(MAGIC_AT.stop)[MAGIC_AT]
    except OSError:
        return b""


def _first_line(text: str) -> str:
    # DuckDB prefixes its class ("IO Error: ") and may add hints on further lines.
    return re.sub(r"^[A-Za-z ]+Error: ", "", text.strip().splitlines()[0]) if text.strip() else text
