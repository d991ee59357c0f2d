"""Discovery benchmark (issue 13): a decade on the replay site, today's code against the new, one run.

    git archive 68a76d0 src | tar -x -C /tmp/lso13-before   # today's code: gallop + bisection
    git archive dd3c101 src | tar -x -C /tmp/lso13-walk     # the walk from page 1 (optional)
    uv run python bench/discovery.py --before /tmp/lso13-before [--walk /tmp/lso13-walk]

The replay site (`DecadeCorpus`: 2016..2025, about 15,000 articles a year) runs in its own
process, so its memory is its own, serving one discovery surface: "listings" (paginated HTML
section listings only), "sitemaps" (a sitemap index by month) or "json" (the CMS's JSON
listing, `limit=12` as the profile has it). Each crawler measurement runs in a fresh process,
with `PYTHONPATH` at the checkout measured, pacing off. Requests are the crawler's own count
(`Fetcher.requests_made`, robots.txt included); candidates are checked against the corpus.

Scenarios:
- month: every candidate of March 2017 (one backfill chunk's discovery, the default strategies
  "sitemap", "listing?"), per surface. "warm": the new code again, given the listing spans its
  first pass returned (what the pipeline keeps in listing_spans between runs). The new code's
  passes also run on a virtual clock at 1 request a second: the paced duration, not waited.
  On "json", also with `limit=100` (the replay honours it; whether the live endpoint does is
  unknown).
- year: the new `discover` over 2017 once, cut with `split_by_window` (the pipeline's way).
- rss: peak RSS of the replay site and of the crawler discovering one March, for a one-year
  and a ten-year replay.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MONTH = (date(2017, 3, 1), date(2017, 3, 31))
YEAR = (date(2017, 1, 1), date(2017, 12, 31))
TODAY = date(2026, 1, 5)
FAST = {"LSO_MIN_DELAY": "0", "LSO_BACKOFF": "0.05"}
SURFACES = ("listings", "sitemaps", "json")


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _months(first: date, last: date) -> list[tuple[date, date]]:
    windows, day = [], first
    while day <= last:
        following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        windows.append((day, min(last, following - timedelta(days=1))))
        day = following
    return windows


def _digest(ids: set[str]) -> str:
    return hashlib.sha1("\n".join(sorted(ids)).encode()).hexdigest()[:12]


# --- workers (run in their own processes) ---------------------------------------------------
def serve(years: int, surface: str) -> None:
    """The replay site until stdin closes; then its request count and peak RSS as JSON."""
    from lso_etl.replay.decade import DecadeCorpus
    from lso_etl.replay.server import ReplaySite

    with ReplaySite(DecadeCorpus(years), today=TODAY, surface=surface) as site:
        print(site.base_url, flush=True)
        sys.stdin.read()
        requests = len(site.requests)
    print(json.dumps({"requests": requests, "maxrss_mib": round(_maxrss_mib(), 1)}), flush=True)


def discover_worker(job: dict[str, Any]) -> None:
    """Discovery of [first, last] in one pass (cut into months when `job["cut"]`), with the
    checkout on PYTHONPATH. New code only: `spans_in`/`spans_out` (a JSON file of listing
    spans), `paced` (a virtual clock at that many seconds a request)."""
    try:
        from lso_etl.crawl.discovery import discover as module
    except ImportError:  # the walk's checkout, before the discovery package moved
        from lso_etl.crawl import discover as module  # type: ignore[no-redef]
    from lso_etl.crawl.fetch import Fetcher
    from lso_etl.settings import Settings
    from lso_etl.site.discovery import DISCOVERY

    first, last = date.fromisoformat(job["first"]), date.fromisoformat(job["last"])
    profile = DISCOVERY
    if job["surface"] == "json":  # the replay numbers its sections' category ids from 57
        ids = tuple(range(57, 57 + len(DISCOVERY.sections)))
        profile = replace(DISCOVERY, json_categories=ids,
                          backfill_strategies=("sitemap", "json-listing?"))  # fmt: skip
        if job.get("limit"):  # [?] whether the live endpoint honours a larger page
            url = profile.json_listing_url.replace("limit=12", f"limit={job['limit']}")
            profile = replace(profile, json_listing_url=url)
    settings = Settings.from_env(dict(os.environ), base_url=job["base_url"])
    extra: dict[str, Any] = {}
    if job.get("spans_in"):
        from lso_etl.models import ListingSpan

        rows = json.loads(Path(job["spans_in"]).read_text())
        read_at = datetime.now(UTC)  # minutes ago: what listing_spans.seen_at would say
        extra["spans"] = [ListingSpan(r[0], r[1], date.fromisoformat(r[2]),
                                      date.fromisoformat(r[3]), read_at) for r in rows]  # fmt: skip
    fetcher_args: dict[str, Any] = {}
    if job.get("paced"):
        from lso_etl.crawl.clock import VirtualClock

        settings = replace(settings, min_delay=float(job["paced"]))
        fetcher_args["clock"] = clock = VirtualClock()
    began, problem = time.monotonic(), None
    with Fetcher(settings, **fetcher_args) as fetcher:
        try:
            found = module.discover_with_cache(
                fetcher, first, last, profile.backfill_strategies, {}, profile, **extra
            )
            refs = found.refs
        except module.DiscoveryIncomplete as exc:
            found, refs, problem = None, [], str(exc)
        requests = fetcher.requests_made
    if job.get("cut"):
        cut = module.split_by_window(refs, _months(first, last))
        refs = [r for chunk in cut.values() for r in chunk]
    if job.get("spans_out") and found is not None:
        rows = [[s.listing, s.page, s.newest.isoformat(), s.oldest.isoformat()]
                for s in found.spans]  # fmt: skip
        Path(job["spans_out"]).write_text(json.dumps(rows))
    ids = {r.article_id for r in refs}
    result = {"requests": requests, "candidates": len(ids), "digest": _digest(ids),
              "incomplete": problem, "seconds": round(time.monotonic() - began, 1),
              "maxrss_mib": round(_maxrss_mib(), 1)}  # fmt: skip
    if fetcher_args:
        result["paced_seconds"] = round(clock.monotonic(), 1)
    print(json.dumps(result))


# --- the driver ----------------------------------------------------------------------------
class Site:
    """A replay site in its own process."""

    def __init__(self, years: int, surface: str = "listings") -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "_serve", str(years), surface], cwd=ROOT, text=True,
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


def run(checkout: Path, job: dict[str, Any], extra: dict[str, str] | None = None) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "_discover", json.dumps(job, default=str)], cwd=ROOT,
        env=_env(checkout, extra), capture_output=True, text=True, check=True, timeout=3600,
    ).stdout  # fmt: skip
    return dict(json.loads(out.strip().splitlines()[-1]))


def truth(first: date, last: date, years: int = 10) -> dict[str, Any]:
    from lso_etl.replay.decade import DecadeCorpus

    corpus = DecadeCorpus(years)
    ids = {corpus.article(i).article_id for i in corpus.day_span(first, last)}
    return {"candidates": len(ids), "digest": _digest(ids)}


def month_on(surface: str, before: Path, walk: Path | None, spans: Path) -> dict[str, Any]:
    site = Site(10, surface)
    job = {"base_url": site.base_url, "first": MONTH[0], "last": MONTH[1], "surface": surface}
    found: dict[str, Any] = {"before": run(before, job)}
    found["new"] = run(ROOT, {**job, "spans_out": spans})
    found["new_warm"] = run(ROOT, {**job, "spans_in": spans})
    found["new_paced_1s"] = run(ROOT, {**job, "paced": 1.0})
    if surface == "json":  # the same endpoint asked for 100 items a page
        found["before_limit100"] = run(before, {**job, "limit": 100})
        found["new_limit100"] = run(ROOT, {**job, "limit": 100, "spans_out": spans})
        found["new_limit100_warm"] = run(ROOT, {**job, "limit": 100, "spans_in": spans})
    if walk is not None and surface == "listings":
        found["walk_default_budget"] = run(walk, job)
        found["walk_unbounded"] = run(walk, job, extra={"LSO_MAX_LISTING_PAGES": "100000"})
    found["site"] = site.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", type=Path, default=Path("/tmp/lso13-before"))
    parser.add_argument("--walk", type=Path, default=None)
    args = parser.parse_args()
    results: dict[str, Any] = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    results["month_truth"] = truth(*MONTH)
    from lso_etl.replay.decade import DecadeCorpus

    # Listing pages holding an article of the month (with a day's overlap each end), all
    # sections: what any walk of 12-item pages must read.
    results["month_listing_floor"] = DecadeCorpus(10).listing_pages(*MONTH)
    spans = Path("/tmp") / f"lso13-spans-{os.getpid()}.json"
    for surface in SURFACES:
        results[f"month_{surface}"] = month_on(surface, args.before, args.walk, spans)
    spans.unlink(missing_ok=True)
    site = Site(10)
    year = {"base_url": site.base_url, "first": YEAR[0], "last": YEAR[1], "surface": "listings"}
    results["year_truth"] = truth(*YEAR)
    results["year_new_once"] = run(ROOT, {**year, "cut": True})
    results["year_before_once"] = run(args.before, {**year, "cut": True})
    results["site_10y"] = site.close()
    results["rss"] = {}
    for years, first in ((1, date(2025, 3, 1)), (10, MONTH[0])):
        site = Site(years)
        last = first.replace(day=31)
        job = {"base_url": site.base_url, "first": first, "last": last, "surface": "listings"}
        results["rss"][years] = {"crawler": run(ROOT, job), "site": site.close()}
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_serve":
        serve(int(sys.argv[2]), sys.argv[3])
    elif len(sys.argv) > 1 and sys.argv[1] == "_discover":
        discover_worker(json.loads(sys.argv[2]))
    else:
        main()
