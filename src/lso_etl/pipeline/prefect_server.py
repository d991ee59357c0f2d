"""A long-lived local Prefect server for `lso-etl serve --with-server`, and finding it again.

Schedules only fire against a long-lived server; a temporary one never schedules runs.
The server runs in a session of its own, so that Ctrl-C or a SIGTERM to `serve`'s process
group reaches `serve` first: it pauses its deployments through the server, then stops it
last. While it runs, a note in the Prefect home names it, and CLI runs (`daily`, `backfill`)
use it instead of starting an API server of their own (`lso_etl.cli.prefect_env`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx

from lso_etl.errors import UserError


def note_path() -> Path:
    """The note naming the running server: in the Prefect home, as its database is."""
    home = os.environ.get("PREFECT_HOME") or str(Path.home() / ".prefect")
    return Path(home).expanduser() / "lso-etl-server.json"


@contextmanager
def local_server(port: int = 4200, timeout: float = 90.0) -> Iterator[str]:
    """Start `prefect server start` on 127.0.0.1, wait until healthy, stop it on exit."""
    api = f"http://127.0.0.1:{port}/api"
    command = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
               "--port", str(port)]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    note = note_path()
    try:
        _wait_healthy(api, process, timeout)
        os.environ["PREFECT_API_URL"] = api
        note.parent.mkdir(parents=True, exist_ok=True)
        note.write_text(json.dumps({"url": api, "pid": process.pid}))
        yield api
    finally:
        with suppress(FileNotFoundError):
            note.unlink()
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def running_server() -> str | None:
    """The API URL of a `serve --with-server` server that is running and healthy, else None."""
    try:
        note = json.loads(note_path().read_text())
        url, pid = str(note["url"]), int(note["pid"])
        os.kill(pid, 0)  # a note left by a server that is gone names nothing
        healthy = httpx.get(f"{url}/health", timeout=1.0).status_code == 200
    except (OSError, ValueError, KeyError, TypeError, httpx.HTTPError):
        return None
    return url if healthy else None


def _wait_healthy(api: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise UserError(f"prefect server exited with code {process.returncode} (port in use?)")
        try:
            if httpx.get(f"{api}/health", timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise UserError(f"prefect server did not become healthy within {timeout:.0f} s")
