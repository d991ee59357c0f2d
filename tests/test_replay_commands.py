"""`lso-etl replay` prints, under its address, commands that work against it as typed
(issue 14): each is run here exactly as printed (in a fresh folder, as a new user would),
paced for loopback, through the real entry point."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lso_etl.cli import main as cli_main


def _printed_commands(replay: subprocess.Popen[str]) -> tuple[str, list[str]]:
    """The replay's first line and the commands under it (read until the last one)."""
    assert replay.stdout is not None
    address = replay.stdout.readline()
    lines = [replay.stdout.readline() for _ in range(5)]
    assert lines[0].startswith("In another shell (LSO_MIN_DELAY=0"), lines
    return address, [text.strip() for text in lines[1:]]


def _run_as_typed(
    command: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, float]:
    words = shlex.split(command)
    while "=" in words[0]:  # VARIABLE=value before the program: its environment
        name, value = words.pop(0).split("=", 1)
        monkeypatch.setenv(name, value)
    assert words[:3] == ["uv", "run", "lso-etl"], command
    monkeypatch.setattr(sys, "argv", ["lso-etl", *words[3:]])
    started = time.monotonic()
    with pytest.raises(SystemExit) as ended:
        cli_main.main()
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err, captured.err
    return int(ended.value.code or 0), captured.out, time.monotonic() - started


@pytest.mark.usefixtures("prefect_harness")  # the session's Prefect server: none started per run
def test_the_commands_replay_prints_work_as_typed_and_are_paced_for_loopback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PREFECT_LOGGING_LEVEL", "WARNING")
    program = "from lso_etl.cli.main import main; main()"
    replay = subprocess.Popen(
        [sys.executable, "-c", program, "replay", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        address, commands = _printed_commands(replay)
        base_url = address.split(" at ")[1].split()[0]
        assert [c.split(" lso-etl ")[1].split()[-1] for c in commands[:2]] == [
            "2017-10-28",  # backfill --from ... --to the corpus's last day
            "daily",
        ]
        results = [_run_as_typed(c, monkeypatch, capsys) for c in commands]
    finally:
        replay.terminate()
        replay.communicate(timeout=10)
    (backfill, backfill_out, _), (daily, daily_out, _), (search, hits, _), (probe, page, _) = (
        results
    )
    assert [backfill, daily, search, probe] == [0, 0, 0, 0]
    assert "unchanged" in daily_out  # it started from what the backfill loaded
    assert hits.splitlines()[0].startswith("# ") and "0 hits" not in hits.splitlines()[0]
    assert page.startswith(f"{base_url}/") and "layout used: " in page
    assert (tmp_path / "warehouse" / "replay.duckdb").exists()  # a warehouse of its own
    # Paced for loopback: at the live site's 1 s floor the run would last a second a request.
    requests, seconds = re.search(r"\((\d+) requests, ([\d.]+) s\)", backfill_out).groups()  # type: ignore[union-attr]
    assert float(seconds) < int(requests) * 0.5, backfill_out
