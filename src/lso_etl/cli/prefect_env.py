"""The Prefect API a CLI run (`daily`, `backfill`, `demo`) talks to, and nothing left behind.

Prefect 3.9 runs a flow only against an API. Left to itself, with no `PREFECT_API_URL`, it
starts a temporary server as a subprocess (uvicorn) for every run: 13-20 s here, all of them
before the run's first step. That child is also what broke stopping: a group-wide SIGTERM or
Ctrl-C killed it first, and the run then retried against a dead API; a SIGTERM to us alone
left it running as an orphan. And two runs at once raced for the same Prefect database.

So, in order:
1. A configured server (`PREFECT_API_URL`, in the environment or the Prefect profile) is
   used as is: it was set up on purpose, and the runs show in its UI.
2. A server `lso-etl serve --with-server` is running on this Prefect home (it leaves a note,
   see `pipeline.prefect_server`): reused, for the same reasons.
3. Otherwise the API server runs *in this process*, in a thread, on a port the kernel picks,
   with a Prefect database of the warehouse's own (`<db>.prefect/prefect.db`). It costs an
   import and about a second of start-up, not a second interpreter; it cannot outlive us or
   be killed before us (it is no process); and two runs on two warehouses share nothing.
   Creating a Prefect database (its migrations) takes about 9 s, so the first one created in
   a Prefect home is kept there, empty, and copied for each new warehouse.
"""

from __future__ import annotations

import logging
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import flows  # noqa: F401  # its offline defaults must precede the first `import prefect`
from lso_etl.errors import UserError
from lso_etl.pipeline.prefect_server import running_server

log = logging.getLogger(__name__)

STARTUP_TIMEOUT = 120.0  # seconds: a first start creates the database; a busy machine is slow


def prefect_database(db: Path) -> Path:
    """Where a warehouse's own Prefect database lives (with SQLite's -wal and -shm files)."""
    return db.with_name(db.name + ".prefect") / "prefect.db"


@contextmanager
def prefect_api(db: Path) -> Iterator[str]:
    """Yield the API URL this run's flows use; stop what was started for it on exit."""
    from prefect.settings import get_current_settings

    configured = get_current_settings().api.url
    if configured:
        yield configured
        return
    shared = running_server()
    if shared is not None:
        with _api_url(shared):
            yield shared
        return
    with _server_in_this_process(prefect_database(db)) as url:
        yield url


@contextmanager
def _server_in_this_process(database: Path) -> Iterator[str]:
    listener = socket.create_server(("127.0.0.1", 0))  # bound now: the port is ours, no race
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/api"
    database.parent.mkdir(parents=True, exist_ok=True)
    with _api_url(url, f"sqlite+aiosqlite:///{database}"):
        template = _template()
        seeded = database.exists() or _copy_template(template, database)
        server, thread = _start(listener)
        try:
            if not seeded:  # just created and migrated, still empty: the next ones copy it
                _keep_as_template(database, template)
            yield url
        finally:
            _flush_prefect_workers()  # run logs and events reach the server before it stops
            server.should_exit = True
            thread.join(timeout=5)


def _start(listener: socket.socket) -> tuple[Any, threading.Thread]:
    import uvicorn
    from prefect.server.api.server import create_app

    # A new app each time (Prefect caches one per settings, and runs its start-up once per app).
    app = create_app(ephemeral=True, ignore_cache=True)
    config = uvicorn.Config(app, log_level="error", lifespan="on", timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    # Not the main thread: uvicorn installs no signal handlers there (cli.signals owns them).
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listener]}, name="prefect-api", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not server.started:
        if not thread.is_alive():
            raise UserError("the local Prefect API server failed to start: see the log above")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise UserError(
                f"the local Prefect API server did not start in {STARTUP_TIMEOUT:.0f} s"
            )
        time.sleep(0.02)
    return server, thread


def _template() -> Path:
    from prefect.settings import get_current_settings

    return Path(get_current_settings().home) / "lso-etl-empty-prefect.db"


def _copy_template(template: Path, database: Path) -> bool:
    """Seed a new warehouse's Prefect database with the kept empty one; False if none yet.

    The template is never opened by a server, so a file copy is a consistent one (an older
    Prefect's template is simply migrated forward when the server starts)."""
    if not template.exists():
        return False
    partial = database.with_name(database.name + ".partial")
    partial.write_bytes(template.read_bytes())
    partial.replace(database)
    return True


def _keep_as_template(database: Path, template: Path) -> None:
    """Copy a freshly migrated database through SQLite's backup API (consistent while the
    server has it open), then swap it in whole: two runs doing this at once both succeed."""
    partial = template.with_name(f"{template.name}.{os.getpid()}.partial")
    try:
        with (
            closing(sqlite3.connect(database)) as source,
            closing(sqlite3.connect(partial)) as copy,
        ):
            source.backup(copy)
        partial.replace(template)
    except (OSError, sqlite3.Error):  # only a cost for later warehouses, never this run's failure
        log.warning("could not keep an empty Prefect database at %s", template, exc_info=True)
        partial.unlink(missing_ok=True)


@contextmanager
def _api_url(url: str, database_url: str | None = None) -> Iterator[None]:
    """Point Prefect at `url` everywhere in this process, then restore what was there.

    The environment and Prefect's process-wide settings, not a `temporary_settings` block:
    threads Prefect starts later (log and event workers, heartbeats) read the process-wide
    ones, and would start a temporary server of their own without an API URL there.
    """
    from prefect.context import refresh_global_settings_context

    wanted = {"PREFECT_API_URL": url}
    if database_url is not None:
        wanted["PREFECT_API_DATABASE_CONNECTION_URL"] = database_url
    before = {name: os.environ.get(name) for name in wanted}
    os.environ.update(wanted)
    refresh_global_settings_context()
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        refresh_global_settings_context()


def _flush_prefect_workers(timeout: float = 3.0) -> None:
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        try:
            worker.drain_all(timeout=timeout)
        except Exception:  # a log line that cannot be sent must not hide the run's outcome
            log.debug("could not flush %s", worker.__name__, exc_info=True)
