"""What a flow command (`daily`, `backfill`, `demo`) runs inside, and how it reports.

The warehouse is opened once before the flow engine starts, so a bad or locked file fails in
one line; the run is told at once that it is starting; it runs with signals handled, Prefect's
API up and a failed run turned into one line; its result is printed for a terminal or a pipe.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from lso_etl.cli.exits import RunFailed
from lso_etl.cli.output import cell, err, line
from lso_etl.settings import Settings

LOCK_WAIT_SECONDS = 30.0


def open_or_fail(settings: Settings, crawls: bool = False) -> None:
    """Open the warehouse once before the flow engine starts (12 s or more without a server):
    a file that is not a usable warehouse, or one locked for the whole wait, fails here in one
    line, not inside a flow run under Prefect's traceback. `crawls`: the run fetches from
    `settings.base_url`, so a warehouse of the other origin (replay vs live) is refused too."""
    from lso_etl.store import warehouse

    new = not settings.db.exists()
    # LSO_WHEN_BUSY=refuse covers a notebook's hold on the file as it does another run's lock:
    # a cron job told not to wait must not sit 30 s on either.
    wait = 0.0 if settings.when_busy == "refuse" else LOCK_WAIT_SECONDS
    with _sigterm_blocked(), warehouse.connect(settings.db, wait_seconds=wait) as con:
        warehouse.refuse_a_foreign_schema(con)  # before the lock file and Prefect's folder
        if crawls:
            warehouse.refuse_mixed_origins(con, settings.base_url, settings.archive_urls)
    if new:  # the run creates and migrates it: a stop before that must not leave an empty file
        settings.db.unlink(missing_ok=True)
        settings.db.with_name(settings.db.name + ".wal").unlink(missing_ok=True)


@contextmanager
def _sigterm_blocked() -> Iterator[None]:
    """The queries above start DuckDB's worker threads, which outlive the connection; started
    with SIGTERM unblocked, one of them could take a process-directed SIGTERM while the run's
    handler waits for it elsewhere (`cli.signals`), and the process died of it (exit -15).
    Threads inherit the mask of the thread that starts them, as in `cli.launch`."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})


def starting(what: str) -> None:
    """Say at once what is starting: the flow engine takes seconds to come up, and a silent
    terminal looks hung. On stderr, so a pipe of the result stays clean."""
    if err.is_terminal:
        err.print(f"{what}: starting Prefect (a few seconds)…", markup=False)


@contextmanager
def run_context(settings: Settings, flow: str) -> Iterator[None]:
    """What every flow command runs in: SIGTERM/SIGINT stop it within seconds (exit 130, the run
    recorded `interrupted`), Prefect's API in this process (or the one configured), and a failed
    run told in one line. The signal handler is outermost: it outlives the API server. The
    warehouse's writer lock is taken here, before Prefect starts: a second run waits (or is
    refused, exit 75) in one line, without paying the flow engine's start-up first."""
    from lso_etl.cli.signals import stop_on_signals

    db = settings.db
    # Signals first: Prefect's import takes seconds, and a Ctrl-C inside it surfaces as
    # pydantic's or Prefect's own error (a traceback) unless a stop is known to be asked.
    with stop_on_signals(db):
        from lso_etl.cli.prefect_env import prefect_api
        from lso_etl.pipeline.writer import one_writer

        with one_writer(settings, flow), prefect_api(db), failed_run_in_one_line():
            yield


@contextmanager
def failed_run_in_one_line() -> Iterator[None]:
    """A flow run that ended Failed (chunks failed, layout drift, site down) in one line (exit
    1): its message already says why, and each failed step logged its own error."""
    from prefect.exceptions import FailedRun

    try:
        yield
    except FailedRun as exc:
        raise RunFailed(str(exc)) from None


def print_run(summary: dict[str, Any], as_json: bool = False) -> None:
    if as_json:
        print(json.dumps(summary, ensure_ascii=False, default=str))
        return
    from lso_etl.pipeline.archives.summary import archive_line

    counts = ", ".join(f"{k} {v}" for k, v in sorted(summary["counts"].items())) or "nothing to do"
    if summary.get("report"):  # before the result, so that the last line is the result
        line(f"report: {summary['report']}")
    where, captures = archive_line(summary)
    stopped = "".join(f"; {why}, so what it holds is left for a rerun"
                      for why in summary.get("stopped", ()))  # fmt: skip
    line(
        f"{summary['flow']} {summary['window'][0]}..{summary['window'][1]}{where}: {counts}"
        f" ({summary['requests']} requests{captures}, {summary['seconds']} s){stopped}"
    )


def print_dry_run(chunks: list[dict[str, Any]], as_json: bool) -> None:
    """Each chunk, then one tab-separated line per candidate with what --json has for it."""
    if as_json:
        print(json.dumps(chunks, ensure_ascii=False, default=str))
        return
    for chunk in chunks:
        finished = "finished earlier" if chunk["finished"] else "not finished"
        line(
            f"{chunk['start']}..{chunk['end']}: {len(chunk['candidates'])} candidates,"
            f" {chunk['to_fetch']} to fetch, {finished}"
        )
        for candidate in chunk["candidates"]:
            # An archive's candidate: why it was picked, then its captures (space-separated).
            archived = (candidate.get("why"), " ".join(candidate.get("captures") or ()) or "-")
            fields = (candidate["seen_date"], candidate["article_id"], candidate["found_by"],
                      candidate.get("state") or "-", candidate["url"],
                      *(archived if "why" in candidate else ()))  # fmt: skip
            line("\t".join(["", *(cell(value) for value in fields)]))
