"""DuckDB warehouse: connections, migrations, runs. Loading lives in `loading`, search in `search`.

DuckDB lets one process hold a file at a time (even read-only), so connections are opened
per batch and closed at once, and a lock held by someone else is waited for, then reported.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from datetime import datetime
from pathlib import Path

import duckdb

from lso_etl.errors import UserError
from lso_etl.store.catalog import pending_migrations, refuse_a_foreign_or_newer_schema
from lso_etl.store.derived import backfill_derived
from lso_etl.store.folders import make_folders, what_is_in_the_way
from lso_etl.store.loading import load_batch, record_fetches, record_outcomes, transaction
from lso_etl.store.origins import MixedOrigins, origin_of, refuse_mixed_origins
from lso_etl.store.runs import database_path, finish_run, site_profile_version, start_run
from lso_etl.store.search_upgrade import convert_0104_postings
from lso_etl.store.unopenable import (
    WarehouseUnusable,
    dangling_link,
    describe_open_error,
    is_damage,
    refuse_foreign_path,
)

__all__ = [
    "Lease", "MixedOrigins", "WarehouseBusy", "WarehouseUnusable", "connect", "describe_open_error",
    "finish_run", "high_water_mark", "known_ids", "load_batch", "migrate", "named_damage",
    "origin_of", "record_fetches", "record_outcomes", "refuse_a_foreign_schema", "refuse_mixed_origins",
    "site_profile_version", "start_run",
]  # fmt: skip

log = logging.getLogger(__name__)

WAREHOUSE_DIR = Path(__file__).resolve().parents[3] / "warehouse"
TIME_ZONE = "Asia/Ho_Chi_Minh"
# Macros before views: views and other macros may call them.
DEFINITION_DIRS = ("macros", "views")


class WarehouseBusy(UserError):
    """Another process holds the DuckDB file (an analyst's notebook, another run)."""


def _lock_holder(error: duckdb.Error) -> str:
    found = re.search(r"Conflicting lock is held in (.+?) \(PID (\d+)\)", str(error))
    return f"process {found[2]} ({Path(found[1]).name})" if found else "another process"


@contextmanager
def connect(
    path: Path, read_only: bool = False, wait_seconds: float = 30.0
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived connection; waits for another process's lock, then fails with a clear message.

    Anything else that keeps the file from opening (a directory, an empty, foreign, truncated
    or damaged file) never heals by waiting: it fails at once, named for what it is.
    """
    if read_only and not path.exists():
        blocker = dangling_link(path) or what_is_in_the_way(path.parent)
        raise FileNotFoundError(
            f"no warehouse at {path}: {blocker}"
            if blocker is not None
            else f"no warehouse at {path}: run a backfill or the daily run first (`lso-etl demo`"
            " fills its own: pass --db warehouse/demo.duckdb to look at it)"
        )
    try:
        make_folders(path.parent)  # a file in the way is named
    except OSError as exc:
        raise WarehouseUnusable(f"cannot create a folder for {path}: {exc.strerror}") from exc
    refuse_foreign_path(path)
    # A file cut at a block boundary opens: it is named when a query reads past its end. (Its
    # header's block count cannot tell earlier: DuckDB trims free blocks off a healthy file.)
    con = _open(path, read_only, wait_seconds)
    try:
        with named_damage(path):
            con.execute(f"set TimeZone = '{TIME_ZONE}'")
            yield con
    finally:
        con.close()


def _open(path: Path, read_only: bool, wait_seconds: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + wait_seconds
    # A missing extension must fail at once, not hang trying the network.
    config: dict[str, str | bool | int | float | list[str]] = {
        "autoinstall_known_extensions": False
    }
    told = False  # the wait is said once, not once a second
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only, config=config)
            if told:
                lock_wait_over(log, path, wait_seconds - (deadline - time.monotonic()))
            return con
        except duckdb.Error as exc:
            problem = describe_open_error(path, exc)
            if problem is not None:
                raise WarehouseUnusable(problem) from exc
            if time.monotonic() >= deadline:
                waited = (  # no wait: LSO_WHEN_BUSY=refuse, for one
                    f"was still locked after {wait_seconds:.0f} s" if wait_seconds else "is locked"
                )
                raise WarehouseBusy(
                    f"{path} is held open by another process ({_lock_holder(exc)}: a notebook "
                    f"or another run?) and {waited}; close it, or read a snapshot instead"
                    " (`lso-etl export`); retry later"
                ) from exc
            if not told:
                log.warning(
                    "warehouse %s is locked by %s; waiting up to %.0f s for it",
                    path, _lock_holder(exc), max(0.0, deadline - time.monotonic()),
                    extra=LOCK_WAIT_STARTS,
                )  # fmt: skip
                told = True
            time.sleep(1.0)


# A lock wait's two log records, told apart by `extra` (the CLI shows the first as a line that
# counts the seconds on a terminal, and the second, or the error, as the line that ends it).
LOCK_WAIT_STARTS = {"lock_wait": "starts"}
LOCK_WAIT_ENDS = {"lock_wait": "ends"}


def lock_wait_over(logger: logging.Logger, path: Path, waited: float) -> None:
    logger.warning("warehouse %s is free after %.0f s", path, waited, extra=LOCK_WAIT_ENDS)


@contextmanager
def named_damage(path: Path) -> Iterator[None]:
    """A truncated or damaged file may open, and fail only when a query reads the bad part:
    that error, too, is named for what it is (as a `WarehouseUnusable`)."""
    try:
        yield
    except duckdb.IOException as exc:
        if not is_damage(exc):
            raise
        raise WarehouseUnusable(describe_open_error(path, exc) or str(exc)) from exc


CHECKPOINT_THRESHOLD = "256MB"  # write-ahead log size that triggers a checkpoint


class Lease:
    """A run's hold on the warehouse: opened when a step needs it, given back when the run waits.

    DuckDB lets one process hold the file, so a run closes it whenever it would wait on the
    network anyway, letting a notebook in between batches. Closing costs a checkpoint (about a
    quarter of a second here for a batch's rows), nothing next to a paced batch (25 pages at
    1 s) but most of an unpaced one: so `pause(keep=True)` (the fetcher is not paced) keeps it.
    Inside `Lease.across_runs(path)` (a backfill's chunks) every run uses one lease, kept
    between runs on the same terms.
    """

    def __init__(self, path: Path, memory_limit: str, shared: bool = False) -> None:
        self.path = path
        self.memory_limit = memory_limit
        self.shared = shared
        self.migrated = False  # set by the first run on this lease
        self._stack: ExitStack | None = None
        self._con: duckdb.DuckDBPyConnection | None = None

    @classmethod
    def for_run(cls, path: Path, memory_limit: str) -> Lease:
        held = _SHARED.get()
        return held if held is not None and held.path == path else cls(path, memory_limit)

    @classmethod
    @contextmanager
    def across_runs(cls, path: Path, memory_limit: str) -> Iterator[Lease]:
        lease = cls(path, memory_limit, shared=True)
        token = _SHARED.set(lease)
        try:
            yield lease
        finally:
            _SHARED.reset(token)
            lease.close()

    @contextmanager
    def connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if self._con is None:
            stack = ExitStack()
            self._con = stack.enter_context(connect(self.path))
            # Set, not connect options (those would bar other connections to the file). One
            # thread: a run writes many small statements, and a second thread only added
            # synchronisation (18% less CPU). A memory cap: DuckDB otherwise keeps every block
            # it wrote cached, so a long backfill's memory grew with the warehouse.
            self._con.execute("set threads = 1")
            self._con.execute(f"set memory_limit = '{self.memory_limit}'")  # checked by Settings
            # A checkpoint rewrites a table's last row group whole (up to 122,880 rows), so
            # its cost grows with the table: at DuckDB's 16MB default, a backfill's commits
            # spent longer checkpointing than loading. A run checkpoints when it closes.
            self._con.execute(f"set checkpoint_threshold = '{CHECKPOINT_THRESHOLD}'")
            self._stack = stack
        try:
            with named_damage(self.path):
                yield self._con
        except BaseException:
            self.close()  # after a failure, start the next step on a fresh connection
            raise

    def pause(self, keep: bool = False) -> None:
        if not keep:
            self.close()

    def close(self) -> None:
        stack, self._stack, self._con = self._stack, None, None
        if stack is not None:
            stack.close()

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.shared or exc[0] is not None:
            self.close()


_SHARED: ContextVar[Lease | None] = ContextVar("shared_lease", default=None)


# What a migration's SQL cannot do, run after it in its transaction.
MIGRATION_STEPS: dict[str, tuple[Callable[[duckdb.DuckDBPyConnection], object], ...]] = {
    "0105_search_pairs.sql": (convert_0104_postings,),
}


def refuse_a_foreign_schema(con: duckdb.DuckDBPyConnection, root: Path = WAREHOUSE_DIR) -> None:
    """WarehouseUnusable for another program's DuckDB file or a newer lso-etl's warehouse (what
    `migrate` refuses first), for a caller to say before it starts anything."""
    where = database_path(con) or "the in-memory database"
    refuse_a_foreign_or_newer_schema(con, where, root / "migrations")


def migrate(con: duckdb.DuckDBPyConnection, root: Path = WAREHOUSE_DIR) -> list[str]:
    """Apply new numbered migrations in order, then re-create every macro and view.

    Returns the migrations applied. Rows derived from articles (authors, search shadow) are
    filled in for articles loaded before the migration that introduced them.
    """
    refuse_a_foreign_schema(con, root)
    con.execute(
        "create table if not exists schema_migrations"
        " (name varchar primary key, applied_at timestamptz not null)"
    )
    applied = []
    for name in pending_migrations(con, root / "migrations"):
        script = root / "migrations" / name
        with transaction(con):
            con.execute(script.read_text(encoding="utf-8"))
            # A migration's second half, rows only code can write, in the same transaction:
            # cut short, the warehouse is as it was before the script, for readers too.
            for step in MIGRATION_STEPS.get(script.name, ()):
                step(con)
            con.execute("insert into schema_migrations values (?, now())", [script.name])
        applied.append(script.name)
    for folder in DEFINITION_DIRS:
        for definition in sorted((root / folder).glob("*.sql")):
            con.execute(definition.read_text(encoding="utf-8"))
    # Not only after a migration: a backfill cut short (it is long on a big warehouse) resumes.
    filled = backfill_derived(con)
    if filled:
        log.info("search shadows and author rows written for %d articles", filled)
    return applied


def known_ids(con: duckdb.DuckDBPyConnection, article_ids: Sequence[str]) -> set[str]:
    if not article_ids:
        return set()
    rows = con.execute(
        "select article_id from articles where article_id in (select unnest(?))"
        " and layout <> 'partial'",  # a partial record is still to be read (issue 15)
        [list(article_ids)],
    ).fetchall()
    return {row[0] for row in rows}


def high_water_mark(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """The newest publish time in the warehouse: where the daily run picks up."""
    row = con.execute("select max(published_at) from articles").fetchone()
    return row[0] if row else None
