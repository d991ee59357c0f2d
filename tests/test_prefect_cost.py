"""The Prefect API a CLI run uses (issue 13, "the CLI's Prefect cost"): a configured server as
is; else a server inside the process, so no child process exists to outlive us or to be killed
before us, with a Prefect database per warehouse (seeded from a kept empty one). Each case runs
in a fresh interpreter: Prefect reads its settings once per process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import json, os, sys, threading
from pathlib import Path
import httpx
from lso_etl.cli.prefect_env import prefect_api, prefect_database

seen = []
for name in sys.argv[1:]:
    db = Path(name)
    with prefect_api(db) as url:
        children = open(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read().split()
        seen.append({
            "url": url,
            "health": httpx.get(url + "/health", timeout=5).status_code,
            "env": os.environ.get("PREFECT_API_URL"),
            "children": children,
            "threads": sorted(t.name for t in threading.enumerate() if t.name == "prefect-api"),
            "database": prefect_database(db).is_file(),
        })
    try:
        closed = httpx.get(url + "/health", timeout=2).status_code != 200
    except httpx.HTTPError:
        closed = True
    seen[-1]["closed_after"] = closed
    seen[-1]["env_after"] = os.environ.get("PREFECT_API_URL")
print(json.dumps(seen))
"""


def _probe(env: dict[str, str], *dbs: Path) -> list[dict[str, object]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *map(str, dbs)], cwd=ROOT, env={**os.environ, **env},
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result: list[dict[str, object]] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_without_a_configured_server_the_api_runs_in_the_process_per_warehouse(
    tmp_path: Path,
) -> None:
    home = tmp_path / "prefect-home"
    one, two = tmp_path / "one.duckdb", tmp_path / "two.duckdb"
    seen = _probe({"PREFECT_HOME": str(home)}, one, two)
    for run in seen:
        assert run["health"] == 200 and run["env"] == run["url"]
        assert run["children"] == []  # no uvicorn subprocess: nothing can be orphaned
        assert run["threads"] == ["prefect-api"]
        assert run["database"] is True
        assert run["closed_after"] is True and run["env_after"] is None  # stopped, restored
    assert seen[0]["url"] != seen[1]["url"]  # a port of its own each: no race for one
    # The first database created in this Prefect home is kept empty, for the next warehouses.
    assert (home / "lso-etl-empty-prefect.db").is_file()
    assert (tmp_path / "one.duckdb.prefect" / "prefect.db").stat().st_size > 0
    assert (tmp_path / "two.duckdb.prefect" / "prefect.db").stat().st_size > 0


def test_a_configured_server_is_used_as_is_and_nothing_is_started(tmp_path: Path) -> None:
    # The first probe's in-process server is "a server someone runs" for the second one.
    outer = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom pathlib import Path\n"
         "from lso_etl.cli.prefect_env import prefect_api\n"
         "with prefect_api(Path(sys.argv[1])) as url:\n print(url, flush=True)\n time.sleep(120)",
         str(tmp_path / "outer.duckdb")],
        # The session's Prefect home (conftest): its kept empty Prefect database is seeded
        # once per session, not migrated again here (~9 s); the first test covers seeding.
        cwd=ROOT, env=dict(os.environ),
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert outer.stdout is not None
        url = outer.stdout.readline().strip()
        seen = _probe({"PREFECT_API_URL": url}, tmp_path / "inner.duckdb")
    finally:
        outer.kill()
        outer.wait(timeout=30)
        if outer.stdout is not None:
            outer.stdout.close()
    assert seen[0]["url"] == url and seen[0]["health"] == 200
    assert seen[0]["threads"] == []  # no server of its own
    assert seen[0]["database"] is False  # and no Prefect database for the warehouse
    assert seen[0]["env_after"] == url
