"""A CLI run wired as `lso-etl daily`/`backfill` are: signals handled, the Prefect API chosen.

tests/test_signals.py and tests/test_prefect_cost.py start it as a real process:
`python tests/signal_worker.py backfill|daily DB BASE_URL [FROM TO CHUNK_DAYS]`. It prints
"started" once the flow is about to run, then the run's summary as JSON.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

from lso_etl.cli.prefect_env import prefect_api
from lso_etl.cli.signals import stop_on_signals
from lso_etl.settings import Settings


def main(argv: list[str]) -> None:
    command, db, base_url = argv[:3]
    settings = Settings.from_env(db=Path(db), base_url=base_url)
    with stop_on_signals(settings.db), prefect_api(settings.db):
        print("started", flush=True)
        if command == "backfill":
            from flows.backfill import backfill

            first, last, chunk_days = (
                date.fromisoformat(argv[3]),
                date.fromisoformat(argv[4]),
                int(argv[5]),
            )
            summary = backfill(first, last, settings.base_url, str(settings.db), None, chunk_days)
        else:
            from flows.daily import daily

            summary = daily(None, settings.base_url, str(settings.db))
    print(json.dumps(summary, default=str), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
