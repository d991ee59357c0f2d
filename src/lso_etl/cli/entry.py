"""The entry point's side of every failure: one line on stderr, the exit code of its kind.

Whatever goes wrong for a reason the user can act on (a typo, a bad date, a missing file, a
busy warehouse, a port in use, Ctrl-C) ends here as `error: what happened; what to do` and an
`ExitCode`, never as a traceback. A traceback is left only for a bug.
"""

from __future__ import annotations

import errno
import os
import shlex
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import typer

# typer (0.29) vendors click: its parser raises these, not the `click` package's classes.
from typer._click import exceptions as click
from typer._click.utils import echo

from lso_etl.cli.exits import ExitCode, for_error
from lso_etl.cli.lock_wait import lock_waits_shown
from lso_etl.cli.output import err, out
from lso_etl.errors import UserError

# Options of `lso-etl` itself, which click accepts only before the command's name.
GLOBAL_OPTIONS = {
    "--db": True,
    "--base-url": True,
    "--verbose": False,
    "-v": False,
}  # takes a value?
# Set before Prefect is first imported (only flow commands import it): it reads them once.
QUIET_PREFECT = {
    "DO_NOT_TRACK": "1",  # no telemetry notice, and no request a machine offline would fail
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_LEVEL": "WARNING",
}


def run(app: typer.Typer, argv: Sequence[str]) -> int:
    """Run the app on `argv` (without the program name); the exit code."""
    for name, value in QUIET_PREFECT.items():
        os.environ.setdefault(name, value)
    try:
        with lock_waits_shown(out if out.is_terminal else err), _a_closed_pipe_ends_it(argv):
            code = app(args=list(argv), prog_name="lso-etl", standalone_mode=False)
    except click.NoArgsIsHelpError as exc:
        echo(exc.ctx.get_help() if exc.ctx else "lso-etl --help")
        return ExitCode.USAGE
    except click.UsageError as exc:
        return _fail(f"{exc.format_message()}{_usage_hint(exc, argv)}", ExitCode.USAGE)
    except click.ClickException as exc:
        return _fail(exc.format_message(), exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        return _fail("interrupted", ExitCode.INTERRUPTED)
    except UserError as exc:
        if _cut_by_ctrl_c(exc):  # a query's cleanup failed on the interrupted transaction
            return _fail("interrupted", ExitCode.INTERRUPTED)
        return _fail(str(exc), for_error(exc))
    except (FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError) as exc:
        return _fail(str(exc), ExitCode.USAGE)
    except Exception as exc:
        # DuckDB turns a Ctrl-C inside a query into RuntimeError("Query interrupted"), the
        # KeyboardInterrupt as its cause: said as every other interruption is.
        if _cut_by_ctrl_c(exc):
            return _fail("interrupted", ExitCode.INTERRUPTED)
        if not isinstance(exc, OSError) or exc.errno not in OUTPUT_FULL:
            raise
        _discard_stdout()
        return _fail(f"cannot write {exc.filename or 'the output'}: {exc.strerror}", ExitCode.USAGE)
    if code == ExitCode.INTERRUPTED:  # typer turns a Ctrl-C in a command into a silent 130
        return _fail("interrupted", ExitCode.INTERRUPTED)
    return int(code) if isinstance(code, int) else ExitCode.OK


# Commands whose output is made to be piped (`lso-etl sql ... | head`): a reader that stops
# reading ends them as it ends `cat` or `grep`, by SIGPIPE (exit 141 in the shell). Through
# typer they exited 1 in silence, "a run failed" by our own table. Never a run: one killed
# mid-batch would leave its record `running` until the next run closes it.
PIPED_COMMANDS = {"sql", "search", "stats", "show", "parse"}


@contextmanager
def _a_closed_pipe_ends_it(argv: Sequence[str]) -> Iterator[None]:
    command = _command_name(argv)
    if command not in PIPED_COMMANDS or not hasattr(signal, "SIGPIPE"):
        yield
        return
    before = signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        yield
    finally:
        signal.signal(signal.SIGPIPE, before)


def _command_name(argv: Sequence[str]) -> str | None:
    """The command's name: the first word that is neither a global option nor its value."""
    words = iter(argv)
    for word in words:
        name = word.split("=", 1)[0]
        if name in GLOBAL_OPTIONS:
            if GLOBAL_OPTIONS[name] and "=" not in word:
                next(words, None)
            continue
        return None if word.startswith("-") else word
    return None


def _cut_by_ctrl_c(exc: BaseException) -> bool:
    """Whether a KeyboardInterrupt is among the causes of `exc` (a few links deep at most)."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return False
        if isinstance(seen, KeyboardInterrupt):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


# `lso-etl show ID --raw > page.html` on a full disk (or over quota): what the user can act on.
OUTPUT_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def _discard_stdout() -> None:
    """What is left in stdout's buffer goes nowhere: Python flushes it at exit, and a second
    failure there would print its own complaint after our line."""
    try:
        into = sys.stdout.fileno()
    except (AttributeError, ValueError, OSError):  # a test's captured stdout: nothing to flush
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, into)
    os.close(devnull)


def _fail(message: str, code: int) -> int:
    # markup off: a path with [brackets] is text; soft wrap: one line whatever the width.
    err.print(f"error: {message}", markup=False)
    return code


def _usage_hint(exc: click.UsageError, argv: Sequence[str]) -> str:
    """What to do next: a global option moved before the command, or the command's --help."""
    command = exc.ctx.info_name if exc.ctx and exc.ctx.parent else None
    if command is None:
        return " (lso-etl --help lists the commands and global options)"
    if isinstance(exc, click.NoSuchOption) and exc.option_name in GLOBAL_OPTIONS:
        fixed = shlex.join(["lso-etl", *_globals_first(list(argv), command)])
        return f"; global options such as {exc.option_name} go before the command: {fixed}"
    if isinstance(exc, click.NoSuchOption) and (
        command == "sql" or any(c.isspace() for c in exc.option_name)
    ):
        # Not an option but text that starts with "-", such as a query after a -- comment.
        return f"; text that starts with '-' goes after '--': lso-etl {command} -- '…'"
    return f" (lso-etl {command} --help shows its options)"


def _globals_first(argv: list[str], command: str) -> list[str]:
    """`argv` with the global options given after `command` moved in front of it, replacing
    the same option given before it (the one typed after the command is the one meant)."""
    at = argv.index(command) if command in argv else 0
    moved, rest = _take_options(argv[at + 1 :], set(GLOBAL_OPTIONS))
    _, before = _take_options(argv[:at], {word.split("=", 1)[0] for word in moved})
    return [*before, *moved, command, *rest]


def _take_options(words: list[str], names: set[str]) -> tuple[list[str], list[str]]:
    """(the global options among `words` named in `names`, with their values; the rest)."""
    taken: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(words):
        name = words[index].split("=", 1)[0]
        if name in names and name in GLOBAL_OPTIONS:
            width = 2 if GLOBAL_OPTIONS[name] and "=" not in words[index] else 1
            taken += words[index : index + width]
            index += width
        else:
            rest.append(words[index])
            index += 1
    return taken, rest
