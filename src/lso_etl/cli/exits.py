"""Exit codes by kind, in one place: scripts and cron can tell a typo from a busy warehouse.

| code | meaning |
|---|---|
| 0 | done (for `parse` and `probe`: an article) |
| 1 | a run failed (its message says why; rerunning picks it up) |
| 2 | usage: a bad option, date or file, an unusable warehouse |
| 3 | not an article (`parse`, `probe`) |
| 4 | parse failed (`parse`, `probe`; the reason on stderr) |
| 5 | robots.txt forbids the page (`probe`) |
| 6 | the site or the page could not be reached (`probe`; a run that found the site down) |
| 75 | the warehouse is busy: another process held it for the whole wait, or held it or another run writes it and LSO_WHEN_BUSY=refuse (EX_TEMPFAIL: retry later) |
| 130 | interrupted (Ctrl-C) |
| 141 | the reader of a pipe stopped reading (`sql`, `search`, `stats`, `show`, `parse` piped to `head`): SIGPIPE, as for `cat` |
"""

from __future__ import annotations

from enum import IntEnum

from lso_etl.errors import SiteUnreachable, UserError


class ExitCode(IntEnum):
    OK = 0
    RUN_FAILED = 1
    USAGE = 2
    NOT_ARTICLE = 3
    PARSE_FAILED = 4
    ROBOTS = 5
    UNREACHABLE = 6
    BUSY = 75  # sysexits.h EX_TEMPFAIL: cron wrappers and schedulers retry it
    INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C


class RunFailed(UserError):
    """A flow run that ended Failed: its message already says why."""


def for_error(error: UserError) -> ExitCode:
    """The exit code of a `UserError`, by what kind of problem it is."""
    from lso_etl.store.warehouse import WarehouseBusy  # duckdb only when an error needs it
    from lso_etl.store.writer_lock import WarehouseInUse

    if isinstance(error, WarehouseBusy | WarehouseInUse):
        return ExitCode.BUSY
    if isinstance(error, SiteUnreachable) or (
        isinstance(error, RunFailed) and " unreachable: " in str(error)
    ):  # a run's Failed state carries the message, not the exception (SiteUnreachable.short)
        return ExitCode.UNREACHABLE
    if isinstance(error, RunFailed):
        return ExitCode.RUN_FAILED
    return ExitCode.USAGE
