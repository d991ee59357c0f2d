"""A site that cannot be reached at all, met for real: a closed loopback port, a name that
never resolves (.invalid, RFC 6761), a TLS handshake with a server that speaks plain HTTP.

Each is `SiteUnreachable`, named for its cause, after one or two tries (not four with backoff),
and a backfill over two years stops at its first chunk instead of failing every one in turn.
"""

from __future__ import annotations

import socket
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

from lso_etl.crawl.fetch import Fetcher
from lso_etl.errors import SiteUnreachable
from lso_etl.pipeline.run import backfill
from lso_etl.pipeline.steps import chunk_windows, finished_chunks
from lso_etl.replay.server import ReplaySite
from lso_etl.settings import Settings

UNRESOLVABLE = "http://lso-test.invalid"


def closed_port() -> str:
    """A loopback URL nothing listens on (bound, then released: the kernel refuses it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def reach(base_url: str, **overrides: object) -> tuple[SiteUnreachable, int, float]:
    """Read robots.txt from `base_url` with the default retry settings: the error, the
    requests it cost and the seconds it took."""
    settings = Settings.from_env({}, base_url=base_url, **overrides)
    began = time.monotonic()
    with Fetcher(settings) as fetcher, pytest.raises(SiteUnreachable) as raised:
        fetcher.check_reachable()
    return raised.value, fetcher.requests_made, time.monotonic() - began


def test_a_closed_port_is_unreachable_after_two_tries() -> None:
    base = closed_port()
    error, requests, seconds = reach(base)
    assert str(error) == (
        f"{base.removeprefix('http://')} unreachable: connection refused;"
        " nothing was recorded as finished; rerun later"
    )
    assert requests == 2 and seconds < 10  # one backoff of 1-2 s, not three growing ones


def test_a_name_that_does_not_resolve_fails_after_one_try_at_once() -> None:
    error, requests, seconds = reach(UNRESOLVABLE)
    assert error.site == "lso-test.invalid"
    assert error.cause.startswith("DNS lookup failed (")
    assert requests == 1 and seconds < 10  # no backoff at all; the resolver answered


def test_a_failed_tls_handshake_is_unreachable_after_one_try(replay: ReplaySite) -> None:
    plain_http = replay.base_url.replace("http://", "https://")  # TLS to a plain-HTTP server
    error, requests, _ = reach(plain_http)
    assert error.cause.startswith("TLS handshake failed (")
    assert requests == 1


def test_a_site_down_stays_down_with_robots_txt_ignored() -> None:
    """LSO_RESPECT_ROBOTS=false does not make a dead site reachable."""
    error, requests, _ = reach(closed_port(), respect_robots=False)
    assert error.cause == "connection refused" and requests == 2


@pytest.mark.parametrize("where", ["closed-port", "unresolvable"])
def test_a_two_year_backfill_of_a_dead_site_stops_at_its_first_chunk(
    tmp_path: Path, where: str
) -> None:
    """Through the library backfill (the flow's work without Prefect): one chunk meets the dead
    site, the other 23 are not run, and the one final line starts with the cause."""
    base = closed_port() if where == "closed-port" else UNRESOLVABLE
    settings = Settings.from_env({}, base_url=base, db=tmp_path / "lso.duckdb")
    windows = chunk_windows(date(2015, 1, 1), date(2016, 12, 31), 31, newest_first=False)

    began = time.monotonic()
    result = backfill(settings, date(2015, 1, 1), date(2016, 12, 31), chunk_days=31)
    seconds = time.monotonic() - began
    line = result["failure"]
    assert seconds < 30
    assert result["chunks_failed"] == ["2015-01-01..2015-01-31"]
    assert len(result["chunks_not_run"]) == len(windows) - 1 == 23
    cause = "connection refused" if where == "closed-port" else "DNS lookup failed ("
    assert line.startswith(f"{base.removeprefix('http://')} unreachable: {cause}")
    assert "the backfill stopped at chunk 2015-01-01..2015-01-31 (23 later chunk(s) not run" in line
    assert "\n" not in line and line.endswith("rerun later")
    with duckdb.connect(str(settings.db), read_only=True) as con:  # recorded, not finished
        assert con.execute("select flow, status from runs").fetchall() == [
            ("backfill-chunk", "failed")
        ]
    assert finished_chunks(settings) == set()


def test_a_failed_state_message_tells_a_dead_site_from_other_failures() -> None:
    error, _, _ = reach(closed_port())
    assert SiteUnreachable.said(str(error))
    assert not SiteUnreachable.said("discovery incomplete, nothing recorded as finished: x")
    assert not SiteUnreachable.said(None)
