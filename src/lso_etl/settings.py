"""Typed settings, read once from LSO_* environment variables and passed down explicitly."""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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
    raw_dir: str = ""  # WARC archive directory; empty: "<db stem>.raw/" next to the db file
    retry_gave_up_after: float = 0.0  # seconds before a later run retries a `gave_up` URL
    # DuckDB memory for a run's writes (its cache of written blocks would otherwise grow with
    # the warehouse over a long backfill); larger queries spill to disk beside the file.
    # 64MB loads as fast as 128MB did, 40 MB less resident; at 32MB a month's batch failed
    # to pin a block ("Out of Memory Error"): bench/RESULTS.md.
    writer_memory: str = "64MB"
    # A second writing run on the same warehouse (daily while a backfill runs) waits for the
    # first to end, or refuses in one line: it never fetches what the first is fetching.
    when_busy: str = "wait"
    # --- discovery budgets (issue 12): a budget hit fails the run, never a silent hole ---
    # A sitemap may be 50 MB uncompressed (sitemaps.org), ten times an article page's cap.
    max_discovery_bytes: int = 50 * 1024 * 1024
    # Sitemap documents read in one run: the live site has an index and one per month.
    max_sitemaps: int = 1000
    # Index levels below the first sitemap: the spec allows one; an endless chain stops here.
    max_sitemap_depth: int = 3
    max_listing_pages: int = 500  # pages walked per section listing (a runaway pagination)
    # --- sources (issue 15): the site, or a web archive's copies of it ---
    source: str = "site"  # site | wayback | commoncrawl | auto (the site where robots.txt allows)
    capture: str = "earliest"  # which capture of an article: earliest (as published) | latest
    wayback_url: str = "https://web.archive.org"
    cc_index_url: str = "https://index.commoncrawl.org"
    cc_data_url: str = "https://data.commoncrawl.org"

    def __post_init__(self) -> None:
        # `~/lso.duckdb`: DuckDB expands the ~ and pathlib does not, which put the database in
        # the home folder and its archive under a literal ./~ folder. Expanded once, here.
        object.__setattr__(self, "db", _expanded("db", str(self.db)))
        if self.raw_dir:
            object.__setattr__(self, "raw_dir", str(_expanded("raw_dir", self.raw_dir)))
        for name in ("db", "raw_dir"):
            _check_utf8(name, str(getattr(self, name)))
        if not re.fullmatch(r"\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)", self.writer_memory):
            raise ValueError(
                f"LSO_WRITER_MEMORY={self.writer_memory!r} is not a memory size such as 64MB"
            )
        if self.when_busy not in ("wait", "refuse"):
            raise ValueError(f"LSO_WHEN_BUSY={self.when_busy!r} is not allowed: wait or refuse")
        _check_choice("source", self.source, SOURCES)
        _check_choice("capture", self.capture, ("earliest", "latest"))
        for name in ("wayback_url", "cc_index_url", "cc_data_url"):
            _check_root(name, getattr(self, name))
        for name, (low, high, strict) in RANGES.items():
            _check_range(name, getattr(self, name), low, high, strict)
        _check_base_url(self.base_url)

    @property
    def archive_dir(self) -> Path:
        """The raw archive (WARC files): LSO_RAW_DIR, else named after the database file
        (`lso.duckdb` -> `lso.raw/` beside it), so warehouses in one folder never share one."""
        if self.raw_dir:
            return Path(self.raw_dir)
        own = self.db.with_name(f"{self.db.stem}.raw")
        return own if own != self.db else self.db.with_name(f"{self.db.name}.raw")

    @property
    def archives(self) -> tuple[str, ...]:
        """The web archives this run's source reads, beside or instead of the site, in the
        order it asks them (the Wayback Machine first)."""
        return ARCHIVES_READ[self.source]

    @property
    def archive_urls(self) -> tuple[str, ...]:
        """Where those archives are reached."""
        urls = {
            "wayback": (self.wayback_url,),
            "commoncrawl": (self.cc_index_url, self.cc_data_url),
        }
        return tuple(url for archive in self.archives for url in urls[archive])

    @property
    def legacy_archive_dir(self) -> Path | None:
        """Where versions before issue 14 kept every warehouse's archive by default (`raw/`
        beside the database file), while LSO_RAW_DIR does not choose a folder."""
        return None if self.raw_dir else self.db.parent / "raw"

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


# field -> (lowest, highest, lowest excluded): numbers outside fail at load, in one line. A NaN
# compares false with everything, so it would slip past a plain bound and turn pacing off; a
# delay of 1e30 s overflowed time_t deep in a retry. Seconds are capped at a day.
RANGES: dict[str, tuple[float, float, bool]] = {
    "min_delay": (0, 86_400, False),
    "connect_timeout": (0, 86_400, True),
    "read_timeout": (0, 86_400, True),
    "total_timeout": (0, 86_400, True),
    "max_attempts": (1, math.inf, False),
    "backoff": (0, 3_600, False),
    "max_retry_after": (0, 86_400, False),
    "overlap_days": (0, 3_650, False),
    "batch_size": (1, math.inf, False),
    "chunk_days": (1, 36_500, False),
    "chunk_retries": (0, math.inf, False),
    "chunk_retry_delay": (0, 86_400, False),
    "drift_threshold": (0, 1, False),
    "max_body_bytes": (1, math.inf, False),
    "max_redirects": (0, math.inf, False),
    "concurrency": (1, math.inf, False),
    "retry_gave_up_after": (0, 366 * 86_400, False),
    "max_discovery_bytes": (1, math.inf, False),
    "max_sitemaps": (1, math.inf, False),
    "max_sitemap_depth": (1, math.inf, False),
    "max_listing_pages": (1, math.inf, False),
}


SOURCES = ("site", "wayback", "commoncrawl", "auto")
ARCHIVES_READ = {"site": (), "wayback": ("wayback",), "commoncrawl": ("commoncrawl",),
                 "auto": ("wayback", "commoncrawl")}  # fmt: skip


def _expanded(name: str, path: str) -> Path:
    """`~` and `~user` expanded; a user this machine does not have is named, not a traceback."""
    try:
        return Path(path).expanduser()
    except RuntimeError:  # pathlib: "Could not determine home directory."
        user = path[1:].split("/", 1)[0]
        raise ValueError(
            f"LSO_{name.upper()}={path!r} is not allowed: {'~' + user!r} names no user on this"
            " machine (a path of your own: write it out, or start it with ./)"
        ) from None


def _check_utf8(name: str, path: str) -> None:
    """DuckDB opens only UTF-8 paths: a file name of other bytes was a pybind11 traceback."""
    try:
        path.encode()
    except UnicodeEncodeError:
        shown = os.fsencode(path).decode(errors="replace")
        raise ValueError(
            f"LSO_{name.upper()}={shown!r} is not UTF-8: DuckDB opens only UTF-8 paths"
        ) from None


def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"LSO_{name.upper()}={value!r} is not allowed: {' or '.join(allowed)}")


def _check_root(name: str, url: str) -> None:
    """An archive's root URL (a mirror's may have a path prefix): http(s) with a host."""
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0  # out of range or not a number: raises
    except ValueError:  # also an unclosed IPv6 bracket
        port_ok = False
    if port_ok and "@" in parts.netloc:  # said without the password: it would be stored
        shown = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
        raise ValueError(
            f"LSO_{name.upper()}={shown!r} with user:pass@ is not allowed: the archive's"
            " address is stored with every capture it serves, so it carries no credentials"
        )
    if (
        port_ok
        and parts.scheme in ("http", "https")
        and parts.hostname
        and not (parts.query or parts.fragment)
    ):
        return
    raise ValueError(
        f"LSO_{name.upper()}={url!r} is not allowed: an http:// or https:// URL with a host"
    )


def _check_base_url(url: str) -> None:
    """The site's root: robots.txt is read from `<base>/robots.txt`, so a base with a path
    (`http://host/news/`) would read the wrong file and crawl what the real one forbids."""
    if any(character.isspace() for character in url):  # urlsplit drops them, httpx does not
        raise ValueError(
            f"LSO_BASE_URL={url!r} is not allowed: it holds a space, tab or line break (a stray"
            " one from copying?); the site's root, e.g. https://baolangson.vn"
        )
    parts = urlsplit(url)
    try:
        port_ok = parts.port is None or parts.port > 0
    except ValueError:  # a port out of range or not a number
        port_ok = False
    if (
        parts.scheme in ("http", "https")
        and parts.hostname
        and port_ok
        and parts.path in ("", "/")
        and not (parts.query or parts.fragment)
    ):
        return
    raise ValueError(
        f"LSO_BASE_URL={url!r} is not allowed: the site's root, an http:// or https:// URL with a"
        " host (and a port, if any) and no path, query or fragment, e.g. https://baolangson.vn"
    )


def _check_range(name: str, value: float, low: float, high: float, strict: bool) -> None:
    below = value <= low if strict else value < low
    if math.isfinite(value) and not below and value <= high:
        return
    kind = "a whole number" if isinstance(value, int) else "a finite number"
    lowest = f"> {_number(low)}" if strict else f">= {_number(low)}"
    allowed = f"{kind} {lowest}" + (f" and <= {_number(high)}" if math.isfinite(high) else "")
    raise ValueError(f"LSO_{name.upper()}={value!r} is not allowed: expected {allowed}")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


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
