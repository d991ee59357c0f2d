"""Typed settings, read once from LSO_* environment variables and passed down explicitly."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

DEFAULT_BASE_URL = "https://baolangson.vn"
DEFAULT_CONTACT = "https://github.com/lso-etl/lso-etl"


@dataclass(frozen=True)
class Settings:
    db: Path = Path("warehouse/lso.duckdb")
    base_url: str = DEFAULT_BASE_URL
    contact: str = DEFAULT_CONTACT
    # The real site is slow and its robots.txt is strict: one request at a time,
    # never faster than this, or robots.txt's Crawl-delay when that is larger.
    min_delay: float = 1.0
    respect_robots: bool = True
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_attempts: int = 4
    backoff: float = 1.0  # first retry wait in seconds; doubles each attempt, with jitter
    max_retry_after: float = 120.0  # cap on a server's Retry-After, in seconds
    overlap_days: int = 2  # the daily run re-checks this many days for late edits
    batch_size: int = 25  # pages per Prefect task: tasks per batch, never per page
    # A backfill is split into chunks of this many days, each its own run (and Prefect task).
    # A month: unpaced, a week's chunk (~70 pages) spent more on its run's fixed costs and on
    # orchestration than on crawling (bench/RESULTS.md); paced, a month is ~10 minutes a chunk.
    chunk_days: int = 31
    chunk_retries: int = 1  # Prefect retries of a failed chunk before moving on
    chunk_retry_delay: float = 30.0
    # A run with a larger share of fallback-layout or quarantined pages fails: the site changed.
    drift_threshold: float = 0.2
    # --- fetching limits and crawl state (issue 4) ---
    total_timeout: float = 60.0  # one request, headers to last byte: stops a slow drip
    max_body_bytes: int = 5 * 1024 * 1024  # also after decompression (gzip bombs)
    max_redirects: int = 5  # followed only within the allowed hosts
    # Requests in flight to the host at once. 1 is the polite default; more only helps when
    # pacing is off (a mirror, the replay) or responses take longer than the delay.
    concurrency: int = 1
    raw_dir: str = ""  # WARC archive directory; empty: "raw/" next to the warehouse file
    retry_gave_up_after: float = 0.0  # seconds before a later run retries a `gave_up` URL
    # DuckDB memory for a run's writes (its cache of written blocks would otherwise grow with
    # the warehouse over a long backfill); larger queries spill to disk beside the file.
    # 64MB loads as fast as 128MB did, 40 MB less resident; at 32MB a month's batch failed
    # to pin a block ("Out of Memory Error"): bench/RESULTS.md.
    writer_memory: str = "64MB"

    def __post_init__(self) -> None:
        if not re.fullmatch(r"\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)", self.writer_memory):
            raise ValueError(
                f"LSO_WRITER_MEMORY={self.writer_memory!r} is not a memory size such as 64MB"
            )

    @property
    def archive_dir(self) -> Path:
        return Path(self.raw_dir) if self.raw_dir else self.db.parent / "raw"

    @property
    def user_agent(self) -> str:
        return f"lso-etl/0.1 (news archive crawler; +{self.contact})"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then LSO_<FIELD> variables, then explicit overrides (CLI options) that are not None."""
        env = dict(os.environ) if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"LSO_{f.name.upper()}")
            if raw is not None and raw != "":
                values[f.name] = _coerce(f.name, raw, cls.__dataclass_fields__[f.name].default)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)


def _coerce(name: str, raw: str, default: object) -> object:
    try:
        if isinstance(default, bool):
            if raw.strip().lower() in {"1", "true", "yes", "on"}:
                return True
            if raw.strip().lower() in {"0", "false", "no", "off"}:
                return False
            raise ValueError(raw)
        if isinstance(default, Path):
            return Path(raw)
        if isinstance(default, float):
            return float(raw)
        if isinstance(default, int):
            return int(raw)
        return raw
    except ValueError:
        raise ValueError(
            f"LSO_{name.upper()}={raw!r} is not a valid {type(default).__name__}"
        ) from None
