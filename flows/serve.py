"""Serve the two deployments: `daily` on a schedule in Vietnam time, `backfill` on demand.

Scheduling needs a long-lived Prefect server: a temporary one registers deployments but
never schedules runs, and a bare cron string is read as UTC (06:00 UTC is 13:00 in Lạng Sơn).
"""

from __future__ import annotations

from typing import Any

from prefect import serve
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from flows.backfill import backfill
from flows.daily import daily

DAILY_CRON = "0 6 * * *"
SITE_TIME_ZONE = "Asia/Ho_Chi_Minh"


def deployments() -> list[RunnerDeployment]:
    return [
        daily.to_deployment(
            name="daily",
            schedule=Cron(DAILY_CRON, timezone=SITE_TIME_ZONE),
            description="New articles since the newest stored one, with a 2-day overlap.",
        ),
        backfill.to_deployment(
            name="backfill",
            parameters={"chunk_days": 31},
            description="Run on demand: prefect deployment run 'backfill/backfill'"
            " -p start=2017-07-01 -p end=2017-07-31",
        ),
    ]


def describe() -> list[dict[str, Any]]:
    """What `serve` would register, for `lso-etl serve --dry-run`."""
    described = []
    for deployment in deployments():
        schedules = [
            {"cron": s.schedule.cron, "timezone": s.schedule.timezone}  # type: ignore[union-attr]
            for s in deployment.schedules or []
        ]
        described.append(
            {
                "name": f"{deployment.flow_name}/{deployment.name}",
                "schedules": schedules,
                "parameters": deployment.parameters,
                "description": deployment.description,
            }
        )
    return described


def main() -> None:
    # limit=1: one flow run at a time, so DuckDB has one writer by design.
    serve(*deployments(), limit=1)


if __name__ == "__main__":
    main()
