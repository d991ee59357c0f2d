"""A long-lived local Prefect server for `lso-etl serve --with-server`.

Schedules only fire against a long-lived server; a temporary one never schedules runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from lso_etl.errors import UserError


@contextmanager
def local_server(port: int = 4200, timeout: float = 90.0) -> Iterator[str]:
    """Start `prefect server start` on 127.0.0.1, wait until healthy, stop it on exit."""
    api = f"http://127.0.0.1:{port}/api"
    command = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
               "--port", str(port)]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_healthy(api, process, timeout)
        os.environ["PREFECT_API_URL"] = api
        yield api
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


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
