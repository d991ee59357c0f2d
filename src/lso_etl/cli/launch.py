"""The `lso-etl` program's first lines: SIGTERM blocked while the product is imported.

Importing the app imports DuckDB, which starts native threads at once. A thread started
while SIGTERM is unblocked may be the one the kernel hands a process-directed SIGTERM to,
and then Prefect's handler, not ours (`cli.signals`), takes it: the run ends "crashed"
instead of `interrupted`, with exit 143. Threads inherit the signal mask of the thread that
starts them, so they are started with SIGTERM blocked, and the main thread unblocks it
afterwards: a command that runs no flow still dies of SIGTERM as any program does.
"""

from __future__ import annotations

import signal
import sys

INTERRUPTED = 130  # cli.exits.ExitCode.INTERRUPTED, which is not imported yet


def main() -> None:
    try:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
        try:
            from lso_etl.cli import main as app
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    except KeyboardInterrupt:  # Ctrl-C in the second the imports take: no traceback
        sys.stderr.write("error: interrupted\n")
        raise SystemExit(INTERRUPTED) from None
    app.main()
