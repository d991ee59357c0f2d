"""Backfill: every article published in a date range that the warehouse does not hold yet."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from prefect import flow

from flows.common import run_crawl
from lso_etl.settings import Settings


@flow(name="backfill")
def backfill(
    start: date,
    end: date,
    base_url: str | None = None,
    db: str | None = None,
    min_delay: float | None = None,
) -> dict[str, Any]:
    """Sitemaps first; section listings are walked only when no sitemap lists the range,
    because walking years of listing pages at one request a second would take hours."""
    if end < start:
        raise ValueError(f"backfill range is empty: {start} is after {end}")
    settings = Settings.from_env(
        base_url=base_url, db=Path(db) if db else None, min_delay=min_delay
    )
    parameters = {"start": start, "end": end}
    return run_crawl("backfill", settings, (start, end), ("sitemap", "listing?"), None, parameters)
