"""A full year's backfill on a decade of listings (issue 13): requests per loaded article.

    uv run python bench/backfill_year.py [--year 2017] [--years 10] [--surface listings]

The replay site serves `DecadeCorpus(years)` (about 15,000 articles a year) in a thread of this
process; the library backfill (`pipeline.run.backfill`, the flow's work without Prefect) runs
the year in monthly chunks at pacing off into a fresh warehouse. Requests are counted by the
server (every one the crawler made, robots.txt included), articles by the warehouse. Prints one
JSON line.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

import duckdb

from lso_etl.pipeline.run import backfill
from lso_etl.replay.decade import DecadeCorpus
from lso_etl.replay.server import ReplaySite
from lso_etl.settings import Settings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2017)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--surface", default="listings")
    args = parser.parse_args(argv)
    corpus = DecadeCorpus(args.years)
    first, last = date(args.year, 1, 1), date(args.year, 12, 31)
    with tempfile.TemporaryDirectory() as folder, ReplaySite(corpus, surface=args.surface) as site:
        settings = Settings.from_env(
            {}, base_url=site.base_url, db=Path(folder) / "lso.duckdb", min_delay=0.0
        )
        started = time.monotonic()
        result = backfill(settings, first, last, chunk_days=31)
        seconds = time.monotonic() - started
        requests = [target for _, target in site.requests]
        with duckdb.connect(str(settings.db), read_only=True) as con:
            (loaded,) = con.execute("select count(*) from articles").fetchone() or (0,)
    kinds = Counter(
        "robots" if t == "/robots.txt" else "listing" if "page=" in t else "other" for t in requests
    )
    print(
        json.dumps(
            {
                "year": args.year,
                "replay_years": args.years,
                "surface": args.surface,
                "chunks_failed": result["chunks_failed"],
                "articles_loaded": loaded,
                "requests": len(requests),
                "requests_by_kind": dict(kinds),
                "requests_per_article": round(len(requests) / loaded, 4) if loaded else None,
                "seconds": round(seconds, 1),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])
