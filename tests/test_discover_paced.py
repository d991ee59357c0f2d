"""Paced discovery on a virtual clock (issue 13): the Fetcher's pacing decides as it would at
the site's pace, but its sleeps advance the clock instead of waiting, so a test reads what a
paced run would take without spending it."""

from __future__ import annotations

import time
from datetime import date

from lso_etl.crawl.clock import VirtualClock
from lso_etl.crawl.discovery.discover import discover
from lso_etl.crawl.fetch import Fetcher
from lso_etl.replay.server import ReplaySite
from lso_etl.settings import Settings


def test_listing_discovery_at_one_request_a_second_runs_on_virtual_time(
    replay: ReplaySite,
) -> None:
    settings = Settings.from_env({}, base_url=replay.base_url, min_delay=1.0, backoff=0.01)
    clock = VirtualClock()
    began = time.monotonic()
    with Fetcher(settings, clock=clock) as fetcher:
        discover(fetcher, date(2000, 1, 1), date(2100, 1, 1), ("listing",))
        requests = fetcher.requests_made
    waited = time.monotonic() - began
    assert requests > 20
    # Request starts 1 s apart: the first goes at once, every later one waits its second.
    assert clock.monotonic() == requests - 1
    assert clock.sleeps == requests - 1
    assert waited < clock.monotonic() / 4  # nothing was actually waited for


def test_a_retry_after_holds_the_virtual_clock_as_it_would_hold_the_run(
    replay: ReplaySite,
) -> None:
    replay.add_faults("/thoi-su", [429, 429])  # each says Retry-After: 1
    settings = Settings.from_env({}, base_url=replay.base_url, min_delay=0.0, backoff=0.01)
    clock = VirtualClock()
    with Fetcher(settings, clock=clock) as fetcher:
        answer = fetcher.get(replay.base_url + "/thoi-su")
    assert answer.status == 200 and fetcher.requests_made == 4  # robots.txt, 3 tries
    assert 2 <= clock.monotonic() < 3  # two holds of 1 s (and back-offs of at most 0.01 s)
