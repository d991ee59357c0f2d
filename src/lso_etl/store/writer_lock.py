"""One writing run per warehouse at a time: an OS lock on `<db>.writer`, held for a run's life.

DuckDB's own lock cannot serialise runs: a paced run gives the file back while it waits on the
network (`warehouse.Lease`), so a second run could open it between two batches, discover the
same candidates and fetch them again (two `daily` runs started together both fetched the same
27 URLs). So a run takes an exclusive `flock` on a small file beside the warehouse before it
reads anything it plans from (the high-water mark, finished chunks, discovery) and keeps it
to its end; a backfill keeps it across all its chunks. The kernel drops the lock when the
process dies, however it dies, so a killed run never leaves the warehouse locked.

A second run either waits for the first to end (`LSO_WHEN_BUSY=wait`, the default: a
scheduled daily run behind a long backfill still runs) or refuses in one line
(`LSO_WHEN_BUSY=refuse`). Within one process the lock is re-entrant (a backfill's chunks
take it again): it serialises processes, not threads.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from lso_etl.errors import UserError
from lso_etl.store.unopenable import WarehouseUnusable, refuse_foreign_path

log = logging.getLogger(__name__)

WHEN_BUSY_VARIABLE = "LSO_WHEN_BUSY"  # Settings.when_busy: read and checked with the others


class WarehouseInUse(UserError):
    """Another run is writing to this warehouse, and this one was told not to wait."""


# Warehouses this process holds: (descriptor of the lock file, nesting depth).
_HELD: dict[Path, tuple[int, int]] = {}
_GUARD = threading.Lock()


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".writer")


@contextmanager
def writer_lock(db: Path, flow: str, when_busy: str) -> Iterator[None]:
    """Hold `db`'s writer lock for the block: wait for another run's, or refuse (`when_busy`:
    wait | refuse). Re-entrant within the process."""
    key = db.absolute()
    with _GUARD:
        held = _HELD.get(key)
        if held is not None:
            _HELD[key] = (held[0], held[1] + 1)
    if held is not None:
        try:
            yield
        finally:
            _leave(key)
        return
    refuse_foreign_path(key)
    try:
        key.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path(key), os.O_RDWR | os.O_CREAT, 0o644)
    except PermissionError as exc:  # said as what it is, not as our lock file's name
        raise WarehouseUnusable(
            f"cannot write beside {db}: {exc.filename or key.parent} is not writable (a run keeps"
            " its lock, archive and Prefect files next to the warehouse); pass a --db in a"
            " folder you can write to"
        ) from exc
    try:
        _acquire(fd, key, flow, when_busy)
        with _GUARD:
            _HELD[key] = (fd, 1)
    except BaseException:
        os.close(fd)
        raise
    try:
        yield
    finally:
        _leave(key)


def _acquire(fd: int, db: Path, flow: str, mode: str) -> None:
    asked_at = datetime.now(UTC)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        waited_for = _holder(db)
        if mode == "refuse":
            raise WarehouseInUse(
                f"{db} is being written by another run ({waited_for}): this {flow} run was not"
                f" started; rerun it when that one ends, or set {WHEN_BUSY_VARIABLE}=wait"
            ) from None
        log.warning(
            "%s is being written by another run (%s): waiting for it to end", db, waited_for,
            extra={"lock_wait": "starts"},  # the CLI counts the seconds on a terminal
        )  # fmt: skip
        fcntl.flock(fd, fcntl.LOCK_EX)  # the kernel wakes us when that run ends or dies
        log.warning("%s is free: the %s run starts", db, flow, extra={"lock_wait": "ends"})
    # For the next run that finds it taken: who holds it (the file is never read for the lock).
    os.ftruncate(fd, 0)
    os.pwrite(
        fd, f"{flow} run, process {os.getpid()}, since {asked_at:%Y-%m-%d %H:%M:%S} UTC".encode(), 0
    )


def _holder(db: Path) -> str:
    try:
        text = lock_path(db).read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        text = ""
    return text or "a process that has not said which"


def _leave(key: Path) -> None:
    with _GUARD:
        fd, depth = _HELD[key]
        if depth > 1:
            _HELD[key] = (fd, depth - 1)
            return
        del _HELD[key]
    os.close(fd)  # drops the lock; the file stays (removing it would race the next run's open)
