"""Archive backfills (issue 15): a one-month backfill from each replay web archive.

    uv run python bench/archives.py

Each scenario backfills July 2017 of the default replay corpus into a fresh warehouse, from
the replay Wayback Machine or the replay Common Crawl, at DEFAULT pacing (CDX calls 1.5 s
apart, page reads 1 s apart) on a virtual clock: the pacing's sleeps move the clock at once,
so the wall time a real run would take is computed from the pacing decisions (the virtual
seconds) plus the time the run itself took here. Requests are counted by the servers.

- wayback / commoncrawl: a fresh warehouse (nothing known of ids and dates);
- commoncrawl-warm: the warehouse already holds June and August (read from the Wayback
  Machine first), so the ids around July are known and bound the search;
- then, so that the search is not tuned to one month, each archive on a fresh warehouse over
  June, August, September, a month astride two (16 August - 15 September) and two months.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from lso_etl.crawl.clock import VirtualClock
from lso_etl.pipeline.run import BARE, backfill
from lso_etl.pipeline.sources import archive_pacing, with_source
from lso_etl.replay.archives.commoncrawl import serve_commoncrawl
from lso_etl.replay.archives.loopback import LoopbackHost
from lso_etl.replay.archives.wayback import serve_wayback
from lso_etl.replay.corpus import build_corpus
from lso_etl.settings import Settings

JULY = (date(2017, 7, 1), date(2017, 7, 31))


def run(settings: Settings, start: date, end: date) -> tuple[dict[str, Any], float, float]:
    clock = VirtualClock()
    pacing = archive_pacing(settings, clock, clock.sleep)
    began = time.monotonic()
    result = backfill(settings, start, end, steps=with_source(settings, BARE, pacing))
    return result, time.monotonic() - began, clock.now


def loaded(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute("select count(*) from articles").fetchone()
        return int(row[0]) if row else 0


@contextmanager
def hosts(corpus: Any) -> Iterator[dict[str, LoopbackHost]]:
    with serve_wayback(corpus) as wayback, serve_commoncrawl(corpus) as cc:
        yield {"wayback": wayback, "cc-index": cc.index, "cc-data": cc.data}


def scenario(name: str, corpus: Any, start: date = JULY[0], end: date = JULY[1]) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix=f"lso-bench-{name}-"))
    with hosts(corpus) as served:
        settings = Settings(db=folder / "lso.duckdb", wayback_url=served["wayback"].base_url,
                            cc_index_url=served["cc-index"].base_url,
                            cc_data_url=served["cc-data"].base_url)  # fmt: skip
        if name == "commoncrawl-warm":
            wayback = Settings(**{**settings.__dict__, "source": "wayback"})
            run(wayback, date(2017, 6, 1), date(2017, 6, 30))
            run(wayback, date(2017, 8, 1), date(2017, 8, 31))
        before = {host: len(h.targets) for host, h in served.items()}
        already = loaded(settings.db) if settings.db.exists() else 0
        source = "wayback" if name == "wayback" else "commoncrawl"
        result, seconds, paced = run(
            Settings(**{**settings.__dict__, "source": source}), start, end
        )
        requests = {host: len(h.targets) - before[host] for host, h in served.items()}
        captures = sum(
            1 for host, h in served.items() for t in h.targets[before[host]:]
            if t.startswith("/web/") or t.startswith("/crawl-data/")
        )  # fmt: skip
        articles = loaded(settings.db) - already
    return {"scenario": name, "range": f"{start:%d %b} - {end:%d %b}", "loaded": articles, "captures": captures,
            "per_article": captures / max(articles, 1), "requests": requests,
            "paced_s": paced, "run_s": seconds, "counts": result["counts"]}  # fmt: skip


def main() -> None:
    corpus = build_corpus()
    rows = [scenario(name, corpus) for name in ("wayback", "commoncrawl", "commoncrawl-warm")]
    others = [(date(2017, 6, 1), date(2017, 6, 30)), (date(2017, 8, 1), date(2017, 8, 31)),
              (date(2017, 9, 1), date(2017, 9, 30)), (date(2017, 8, 16), date(2017, 9, 15)),
              (date(2017, 7, 1), date(2017, 8, 31))]  # fmt: skip
    rows += [
        scenario(name, corpus, *span) for span in others for name in ("wayback", "commoncrawl")
    ]
    print("| scenario | range | articles loaded | not articles | captures fetched |"
          " captures per article | requests by host | wall s at default pacing (paced + run) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        hosts_line = ", ".join(f"{h} {n}" for h, n in r["requests"].items() if n)
        wall = r["paced_s"] + r["run_s"]
        print(f"| {r['scenario']} | {r['range']} | {r['loaded']} |"
              f" {r['counts'].get('not_article', 0)} | {r['captures']} | {r['per_article']:.2f} |"
              f" {hosts_line} | {wall:.0f} ({r['paced_s']:.1f} + {r['run_s']:.1f}) |")  # fmt: skip


if __name__ == "__main__":
    main()
