"""The warehouse's writer, for the run's callers: who may write (one run at a time), one
connection held across a backfill's chunks, where the daily run picks up, and whose data
the warehouse may take at all."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime

from lso_etl.settings import Settings
from lso_etl.store import warehouse
from lso_etl.store.writer_lock import writer_lock


def one_writer(settings: Settings, flow: str) -> AbstractContextManager[object]:
    """This warehouse's writer lock for a whole run (re-entrant in one process): a second run
    waits for it or refuses (LSO_WHEN_BUSY), and never fetches what the first is fetching."""
    return writer_lock(settings.db, flow, settings.when_busy)


def hold_writer(settings: Settings) -> AbstractContextManager[warehouse.Lease]:
    """One writer connection held across a backfill's unpaced chunks (each still its own run)."""
    return warehouse.Lease.across_runs(settings.db, settings.writer_memory)


def high_water_mark(settings: Settings) -> datetime | None:
    """The newest stored publish time, where the daily run picks up (the warehouse migrated)."""
    with warehouse.connect(settings.db) as con:
        warehouse.migrate(con)
        return warehouse.high_water_mark(con)


def refuse_mixed_origins(settings: Settings) -> None:
    """Before a run's first chunk: a warehouse of replay data takes no live data, nor the other
    way round (`warehouse.MixedOrigins`, one line naming both). Each run checks it again, but
    there a backfill met it once per chunk, each chunk retried after 30 s, and its last line
    counted failed chunks without saying why."""
    if settings.db.exists():
        with warehouse.connect(settings.db, read_only=True) as con:
            warehouse.refuse_mixed_origins(con, settings.base_url, settings.archive_urls)
