"""Where a cold Common Crawl backfill spends its captures: each probe against the range.

    uv run python bench/archive_probes.py [FIRST..LAST ...]

For each range (default: every month of the replay corpus, June to October 2017, and every
two consecutive months), a backfill from the replay Common Crawl into a fresh warehouse at
default pacing (virtual clock), then: articles loaded, captures that were not articles,
captures fetched per article loaded, and the probes that narrowing the range read, each with
its article's real publication day (from the corpus) and whether it lay inside the range.
Probes outside the range are the search's only waste (`pipeline/archives/probe.py`).
"""

from __future__ import annotations

import itertools
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from lso_etl.crawl.archives.candidates import Candidate
from lso_etl.crawl.clock import VirtualClock
from lso_etl.pipeline.run import BARE, backfill
from lso_etl.pipeline.sources import archive_pacing, with_source
from lso_etl.replay.archives.commoncrawl import serve_commoncrawl
from lso_etl.replay.corpus import build_corpus
from lso_etl.settings import Settings

MONTHS = [(date(2017, m, 1), date(2017, m + 1, 1).replace(day=1)) for m in range(6, 11)]


def ranges() -> list[tuple[date, date]]:
    if len(sys.argv) > 1:
        return [tuple(map(date.fromisoformat, a.split(".."))) for a in sys.argv[1:]]  # type: ignore[misc]
    months = [(a, date.fromordinal(b.toordinal() - 1)) for a, b in MONTHS]
    return months + [(a[0], b[1]) for a, b in itertools.pairwise(months)]


def measure(corpus: Any, start: date, end: date) -> dict[str, Any]:
    published = {a.article_id: a.published_at.date() for a in corpus.articles}
    probes: list[tuple[str, date | None]] = []
    with serve_commoncrawl(corpus) as cc:
        settings = Settings(db=Path(tempfile.mkdtemp()) / "lso.duckdb", source="commoncrawl",
                            cc_index_url=cc.index.base_url, cc_data_url=cc.data.base_url)  # fmt: skip
        clock = VirtualClock()
        steps = with_source(settings, BARE, archive_pacing(settings, clock, clock.sleep))
        source = steps.source
        aimed = source._probe

        def counted(fetcher: Any, name: str, a: date, b: date) -> Any:
            probe = aimed(fetcher, name, a, b)

            def read(candidate: Candidate) -> date | None:
                if candidate.article_id not in source.probed:
                    probes.append((candidate.article_id, published.get(candidate.article_id)))
                return probe(candidate)

            return read

        source._probe = counted
        result = backfill(settings, start, end, steps=steps)
        captures = [t for t in cc.data.targets if t.startswith("/crawl-data/")]
    loaded = result["counts"].get("loaded", 0)
    outside = [(i, d) for i, d in probes if d is None or not start <= d <= end]
    return {"range": f"{start} .. {end}", "loaded": loaded, "captures": len(captures),
            "not_article": result["counts"].get("not_article", 0), "probes": len(probes),
            "outside": outside, "paced_s": clock.now}  # fmt: skip


def main() -> None:
    corpus = build_corpus()
    print("| range | loaded | not articles | captures | per article | probes | outside the range |")
    print("|---|---|---|---|---|---|---|")
    for start, end in ranges():
        r = measure(corpus, start, end)
        outside = ", ".join(f"{i} ({d})" for i, d in r["outside"])
        print(f"| {r['range']} | {r['loaded']} | {r['not_article']} | {r['captures']} |"
              f" {r['captures'] / max(r['loaded'], 1):.3f} | {r['probes']} |"
              f" {len(r['outside'])}: {outside} |")  # fmt: skip


if __name__ == "__main__":
    main()
