"""What `lso-etl replay` prints under its address: commands that work against it as typed.

Pasted into another shell they fill a warehouse of the replay's own (replay and live data
never share one), paced for loopback: the live site's 1 s between requests would make a
month of the replay take minutes instead of seconds. The backfill takes the replay's last
month, so the daily run after it has only a few days to catch up, whatever `--years` served.
"""

from __future__ import annotations

import shlex
from datetime import date, timedelta
from pathlib import Path

REPLAY_DB = Path("warehouse/replay.duckdb")
LOOPBACK_PACING = "LSO_MIN_DELAY=0"  # no 1 s floor between requests: this server is ours


def replay_commands(base_url: str, first_day: date, last_day: date, article_path: str) -> list[str]:
    """The lines printed under the replay's address: a heading, then one command a line."""
    start = max(first_day, last_day - timedelta(days=30))
    run = (
        f"{LOOPBACK_PACING} uv run lso-etl --db {shlex.quote(str(REPLAY_DB))} --base-url {base_url}"
    )
    read = f"uv run lso-etl --db {shlex.quote(str(REPLAY_DB))}"
    return [
        f"In another shell ({LOOPBACK_PACING}: the live site's 1 s between requests is not"
        " needed on loopback):",
        f"  {run} backfill --from {start} --to {last_day}",
        f"  {run} daily",
        f"  {read} search {shlex.quote('nong thon moi')}",
        f"  {LOOPBACK_PACING} uv run lso-etl --base-url {base_url} probe {shlex.quote(article_path)}",
    ]
