"""The backfill's progress bar on a terminal (issue 14): the flow's progress records move the
bar and are not also printed as log lines through it; a warning logged while it shows is
printed above it, whole, on a line of its own."""

from __future__ import annotations

import io
import logging
import re
import sys

import pytest
from rich.console import Console

from lso_etl.cli.progress import progress_bar
from lso_etl.pipeline.report import progress_log

ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def test_log_lines_go_above_the_bar_never_through_it(monkeypatch: pytest.MonkeyPatch) -> None:
    real_stderr = io.StringIO()
    monkeypatch.setattr(sys, "stderr", real_stderr)
    # As `lso-etl -v` or Prefect set it up: a handler made with the real stderr, on the root.
    plain = logging.StreamHandler(sys.stderr)
    plain.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(plain)
    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=100)
    try:
        with progress_bar(terminal):
            progress_log.info("backfill of 2 chunks", extra={"total": 2})
            progress_log.info("chunk done", extra={"advance": 1, "articles": 20})
            logging.getLogger("lso_etl.crawl.fetch").warning("429 from the site: waiting 60 s")
            progress_log.info("chunk done", extra={"advance": 1, "articles": 5})
    finally:
        root.removeHandler(plain)
    shown = ESCAPES.sub("", screen.getvalue()).replace("\r", "\n").splitlines()
    assert real_stderr.getvalue() == ""  # nothing went around the bar
    assert "WARNING lso_etl.crawl.fetch: 429 from the site: waiting 60 s" in shown  # whole line
    assert not [line for line in shown if "chunk done" in line or "backfill of" in line]
    assert any("2/2 chunks · 25 articles" in line for line in shown)
    assert plain.stream is real_stderr and progress_log.propagate  # all put back


def test_an_archive_dry_run_as_text_carries_each_candidate_s_captures(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--dry-run's text has what --json has: for an archive's candidate, why it was picked and
    the captures it would try (they were in the JSON only)."""
    from lso_etl.cli.runs import print_dry_run

    captures = ["https://web.archive.org/web/20170702/https://baolangson.vn/a-5012345.html",
                "https://web.archive.org/web/20180101/https://baolangson.vn/a-5012345.html"]  # fmt: skip
    chunk = {"start": "2017-07-01", "end": "2017-07-31", "finished": False, "to_fetch": 1,
             "candidates": [{"seen_date": "2017-07-02", "article_id": "new:5012345",
                             "found_by": "wayback:cdx", "url": "https://baolangson.vn/a-5012345.html",
                             "captures": captures, "why": "id 5012345 above ...; 2 captures"}]}  # fmt: skip
    print_dry_run([chunk], as_json=False)
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split("\t") == [
        "", "2017-07-02", "new:5012345", "wayback:cdx", "-", "https://baolangson.vn/a-5012345.html",
        "id 5012345 above ...; 2 captures", " ".join(captures),
    ]  # fmt: skip
