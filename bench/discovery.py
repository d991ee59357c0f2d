"""Discovery benchmark (issue 13): a decade on the replay site, listings only, old code vs new.

    git worktree add --detach /tmp/lso-old dd3c101   # the commit before the bisection work
    uv run python bench/discovery.py --old /tmp/lso-old

The replay site (the new code's `DecadeCorpus`: 2016..2025, about 15,000 articles a year,
surface "listings": no sitemaps, no JSON listing) runs in its own process, so its memory is
its own. Each crawler measurement runs in a fresh process too, with `PYTHONPATH` pointing at
the old or the new `src/`, pacing off. Requests are the crawler's own count
(`Fetcher.requests_made`, robots.txt included).

Scenarios:
- month: every candidate of March 2017 (one backfill chunk's discovery, default strategies
  "sitemap", "listing?"). The old code at its default page budget, and with the budget raised
  so that it can finish; the new code at the default budget.
- year: the discovery requests of a 2017 backfill cut into 12 monthly chunks (a Fetcher, so
  a robots.txt, per chunk, as the pipeline does), and of the new `discover` over the whole year
  once, cut with `split_by_window` (what the pipeline would do with the proposed change).
  The old code's year is computed with its walk's rule from the corpus (reading it would take
  ~130,000 requests); the rule is checked against the measured old month.
- chunk: a real backfill of March 2017 with the new code (discover, fetch, parse, load into a
  fresh warehouse): requests per loaded article, measured.
- rss: peak RSS of the replay site and of the crawler discovering one March, for a one-year
  and a ten-year replay.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MONTH = (date(2017, 3, 1), date(2017, 3, 31))
YEAR = (date(2017, 1, 1), date(2017, 12, 31))
TODAY = date(2026, 1, 5)
FAST = {"LSO_MIN_DELAY": "0", "LSO_BACKOFF": "0.05"}


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _months(first: date, last: date) -> list[tuple[date, date]]:
    windows, day = [], first
    while day <= last:
        following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        windows.append((day, min(last, following - timedelta(days=1))))
        day = following
    return windows


# --- workers (run in their own processes) ---------------------------------------------------
def serve(years: int) -> None:
    """The replay site until stdin closes; then its request count and peak RSS as JSON."""
    from lso_etl.replay.decade import DecadeCorpus
    from lso_etl.replay.server import ReplaySite

    with ReplaySite(DecadeCorpus(years), today=TODAY, surface="listings") as site:
        print(site.base_url, flush=True)
        sys.stdin.read()
        requests = len(site.requests)
    print(json.dumps({"requests": requests, "maxrss_mib": round(_maxrss_mib(), 1)}), flush=True)


def discover_worker(base_url: str, first: date, last: date, mode: str) -> None:
    """Discovery of [first, last]: "range" in one pass, "chunks" month by month (a Fetcher
    each), "once" in one pass cut into months (new code only)."""
    from lso_etl.crawl.discovery.discover import DiscoveryIncomplete, discover
    from lso_etl.crawl.fetch import Fetcher
    from lso_etl.settings import Settings

    settings = Settings.from_env(dict(os.environ), base_url=base_url)
    windows = _months(first, last) if mode == "chunks" else [(first, last)]
    began, requests, found, problem = time.monotonic(), 0, set(), None
    for window in windows:
        with Fetcher(settings) as fetcher:
            try:
                refs = discover(fetcher, *window)
            except DiscoveryIncomplete as exc:
                refs, problem = [], str(exc)
            requests += fetcher.requests_made
        if mode == "once":
            from lso_etl.crawl.discovery.discover import split_by_window

            refs = [r for cut in split_by_window(refs, _months(first, last)).values() for r in cut]
        found |= {r.article_id for r in refs}
    print(json.dumps({"requests": requests, "candidates": len(found), "incomplete": problem,
                      "seconds": round(time.monotonic() - began, 1),
                      "maxrss_mib": round(_maxrss_mib(), 1)}))  # fmt: skip


def backfill_worker(base_url: str, first: date, last: date) -> None:
    """A real backfill of [first, last] into a fresh warehouse: requests and articles loaded."""
    import duckdb

    from lso_etl.pipeline.run import backfill
    from lso_etl.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "lso.duckdb"
        settings = Settings.from_env(dict(os.environ), base_url=base_url, db=db)
        began = time.monotonic()
        summary = backfill(settings, first, last)
        with duckdb.connect(str(db), read_only=True) as con:
            requests = con.execute("select sum(requests) from runs").fetchone()
            loaded = con.execute("select count(*) from articles").fetchone()
    print(json.dumps({"requests": requests[0] if requests else None,
                      "loaded": loaded[0] if loaded else None, "failed": summary["chunks_failed"],
                      "seconds": round(time.monotonic() - began, 1),
                      "maxrss_mib": round(_maxrss_mib(), 1)}))  # fmt: skip


# --- the driver ----------------------------------------------------------------------------
class Site:
    """A replay site in its own process."""

    def __init__(self, years: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "_serve", str(years)], cwd=ROOT, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=_env(ROOT),
        )  # fmt: skip
        assert self.process.stdout is not None
        self.base_url = self.process.stdout.readline().strip()

    def close(self) -> dict[str, Any]:
        out, _ = self.process.communicate(timeout=60)
        return dict(json.loads(out.strip().splitlines()[-1]))


def _env(checkout: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LSO_")}
    env.update(FAST, **(extra or {}), PYTHONPATH=str(checkout / "src"))
    return env


def run(checkout: Path, *args: str, extra: dict[str, str] | None = None) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, *args], cwd=ROOT, env=_env(checkout, extra),
        capture_output=True, text=True, check=True, timeout=3600,
    ).stdout  # fmt: skip
    return dict(json.loads(out.strip().splitlines()[-1]))


def old_walk_requests(first: date, last: date, years: int = 10) -> int:
    """What the old code's chunk discovery reads, by its rule: robots.txt, /sitemap.xml (404),
    then each section from page 1 through the first page wholly older than start - 1 day."""
    from lso_etl.replay.decade import DecadeCorpus
    from lso_etl.replay.render import PER_PAGE

    corpus, total = DecadeCorpus(years), 0
    for window_first, _ in _months(first, last):
        stop_before = window_first - timedelta(days=1)
        for s in range(len(corpus.sections)):
            # Every page whose first (newest) article is dated stop_before or later is read,
            # and so is the page after them (older, or past the end: a 404).
            total += math.ceil(corpus.in_section_since(s, stop_before) / PER_PAGE) + 1
        total += 2
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--old", type=Path, default=Path("/tmp/lso-old"))
    args = parser.parse_args()
    new, old = ROOT, args.old
    results: dict[str, Any] = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    month = [d.isoformat() for d in MONTH]
    year = [d.isoformat() for d in YEAR]
    site = Site(10)
    results["month_new"] = run(new, "_discover", site.base_url, *month, "range")
    results["month_old_default_budget"] = run(old, "_discover", site.base_url, *month, "range")
    results["month_old_unbounded"] = run(
        old, "_discover", site.base_url, *month, "range", extra={"LSO_MAX_LISTING_PAGES": "100000"}
    )
    results["month_old_rule"] = old_walk_requests(*MONTH)
    results["year_new_chunks"] = run(new, "_discover", site.base_url, *year, "chunks")
    results["year_new_once"] = run(new, "_discover", site.base_url, *year, "once")
    results["year_old_rule"] = old_walk_requests(*YEAR)
    results["chunk_new_backfill"] = run(new, "_backfill", site.base_url, *month)
    results["site_10y"] = site.close()
    results["rss"] = {}
    for years, first in ((1, date(2025, 3, 1)), (10, MONTH[0])):
        site = Site(years)
        last = first.replace(day=31)
        crawler = run(new, "_discover", site.base_url, first.isoformat(), last.isoformat(), "range")
        results["rss"][years] = {"crawler": crawler, "site": site.close()}
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_serve":
        serve(int(sys.argv[2]))
    elif len(sys.argv) > 1 and sys.argv[1] == "_discover":
        base, first, last, mode = sys.argv[2:6]
        discover_worker(base, date.fromisoformat(first), date.fromisoformat(last), mode)
    elif len(sys.argv) > 1 and sys.argv[1] == "_backfill":
        base, first, last = sys.argv[2:5]
        backfill_worker(base, date.fromisoformat(first), date.fromisoformat(last))
    else:
        main()
