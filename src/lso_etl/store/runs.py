"""The `runs` table: a run's row opened and closed, and the rows of killed runs closed as
`interrupted` by the next run.

Which `running` rows belong to a dead process? DuckDB's one-writer lock cannot tell: a paced
run gives the file back while it waits on the network (`Lease`), so another run may open the
warehouse while the first one is alive. So each run holds an exclusive `flock` on a small
file of its own, `<db>.runs/<run_id>`, from its start to its end. The kernel drops that lock
when the process dies, however it dies (SIGKILL, out of memory), so a `running` row whose
file is missing or can be locked belongs to a process that is gone.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from lso_etl.models import RunCounts
from lso_etl.store import checks

log = logging.getLogger(__name__)

# This process's runs: the descriptor of each one's locked file, and the file.
_HELD: dict[str, int] = {}
_PATHS: dict[str, Path] = {}
_STARTED: list[str] = []  # every run this process started, for `close_own_unfinished`


def lock_dir(db: Path) -> Path:
    return db.with_name(db.name + ".runs")


def site_profile_version() -> tuple[str, str]:
    """(name, fingerprint) of the site profile: the fingerprint changes with any selector."""
    from lso_etl.site.profile import PROFILE

    digest = hashlib.sha256(repr(PROFILE).encode()).hexdigest()[:12]
    return PROFILE.name, digest


def start_run(
    con: duckdb.DuckDBPyConnection,
    flow: str,
    parameters: dict[str, Any],
    base_url: str,
    respect_robots: bool,
    parser_version: str,
    origin: str | None = None,
) -> str:
    """A new `running` row, after closing the rows of runs whose process died. `origin`:
    'replay' or 'live' (store.origins.origin_of), None where the base URL tells (tests)."""
    run_id = uuid.uuid4().hex[:12]
    db = database_path(con)
    if db is not None:
        close_interrupted(con, db)
        _hold(db, run_id)  # before the row exists: no one may see it `running` and unlocked
    profile, profile_version = site_profile_version()
    try:
        con.execute(
            "insert into runs (run_id, flow, parameters, base_url, respect_robots, parser_version,"
            " site_profile, site_profile_version, started_at, status, origin)"
            " values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?)",
            [run_id, flow, json.dumps(parameters, default=str), base_url, respect_robots,
             parser_version, profile, profile_version, datetime.now(UTC), origin],
        )  # fmt: skip
    except BaseException:
        _release(run_id)
        raise
    finally:
        _STARTED.append(run_id)  # even a failed insert: closing a missing row changes nothing
    return run_id


def started_here() -> list[str]:
    return list(_STARTED)


def close_own_unfinished(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Close as `interrupted` the runs this process started and left `running`.

    A stop (SIGTERM, SIGINT) can land anywhere, also between a run's row and the block that
    closes it, or inside that block's update: the process records it itself before it exits,
    rather than leaving it to the next run to find.
    """
    mine = started_here()
    rows = con.execute(
        "update runs set status = 'interrupted', finished_at = ?"
        " where status = 'running' and run_id in (select unnest(?)) returning run_id",
        [datetime.now(UTC), mine],
    ).fetchall()
    for run_id in mine:
        _release(run_id)
    return [row[0] for row in rows]


def finish_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    status: str,
    counts: RunCounts,
    requests: int,
    bytes_fetched: int,
    check_data: bool = True,
) -> dict[str, int] | None:
    """Close the run's row; run the data checks and store their counts in it.

    Returns offending rows per check (failures are logged, never raised: a check flags data
    for a person to look at, it does not undo a load). The checks read whole tables, so a
    backfill runs them after its last chunk only (`check_data=False` before: null in `runs`).
    """
    try:
        found = checks.run_checks(con) if check_data else None
        failed = sum(1 for rows in found.values() if rows) if found is not None else None
        con.execute(
            "update runs set finished_at = ?, status = ?, counts = map(?, ?), requests = ?,"
            " bytes_fetched = ?, checks = case when ? then map(?, ?) end, checks_failed = ?"
            " where run_id = ?",
            [datetime.now(UTC), status, list(counts.counts), list(counts.counts.values()),
             requests, bytes_fetched, found is not None, list(found or {}),
             list((found or {}).values()), failed, run_id],
        )  # fmt: skip
    finally:  # a row this fails to close is left to the next run, which will see it unlocked
        _release(run_id)
    return found


def close_interrupted(con: duckdb.DuckDBPyConnection, db: Path) -> list[tuple[str, datetime]]:
    """Close as `interrupted` every `running` row whose process is gone; log and return them.

    `finished_at` becomes the run's last recorded sign of life (an outcome, a fetch, an
    archived response), or its start: not the moment it was found dead.
    """
    rows = con.execute(
        "select run_id, started_at from runs where status = 'running' order by started_at"
    ).fetchall()
    dead = [(run_id, started) for run_id, started in rows if not is_alive(db, run_id)]
    if not dead:
        return []
    ids = [run_id for run_id, _ in dead]
    con.execute(
        "update runs set status = 'interrupted', finished_at = greatest(started_at,"
        " (select max(recorded_at) from url_outcomes o where o.run_id = runs.run_id),"
        " (select max(fetched_at) from fetches f where f.run_id = runs.run_id),"
        " (select max(fetched_at) from archive_records a where a.run_id = runs.run_id))"
        " where run_id in (select unnest(?))",
        [ids],
    )
    log.warning(
        "%d run(s) left running by a process that died closed as interrupted: %s",
        len(dead), ", ".join(f"{run_id} (started {started:%Y-%m-%d %H:%M:%S%z})" for run_id, started in dead),
    )  # fmt: skip
    for run_id in ids:
        (lock_dir(db) / run_id).unlink(missing_ok=True)
    return dead


def is_alive(db: Path, run_id: str) -> bool:
    """Whether a process still holds the run's lock (this one included)."""
    if run_id in _HELD:
        return True
    try:
        fd = os.open(lock_dir(db) / run_id, os.O_RDWR)
    except FileNotFoundError:  # a run from before these files, or one whose file was removed
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # also drops the lock taken just now
    return False


def database_path(con: duckdb.DuckDBPyConnection) -> Path | None:
    row = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()
    return Path(row[0]) if row and row[0] else None  # None: an in-memory database


def _hold(db: Path, run_id: str) -> None:
    lock_dir(db).mkdir(exist_ok=True)  # left in place: removing it would race another run's start
    fd = os.open(lock_dir(db) / run_id, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a fresh run id: no one else holds it
    os.write(fd, f"{os.getpid()}\n".encode())  # for a person looking: which process runs it
    _HELD[run_id] = fd
    _PATHS[run_id] = lock_dir(db) / run_id


def _release(run_id: str) -> None:
    fd, path = _HELD.pop(run_id, None), _PATHS.pop(run_id, None)
    if path is not None:
        path.unlink(missing_ok=True)  # before unlocking: no one may find it unlocked and live
    if fd is not None:
        os.close(fd)
