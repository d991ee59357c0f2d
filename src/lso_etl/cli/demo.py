"""`lso-etl demo`: the real flows against the bundled replay site, then a short summary."""

from __future__ import annotations

import time
from typing import Any

from rich.console import Console
from rich.table import Table

from lso_etl.replay.corpus import build_corpus
from lso_etl.replay.server import ReplaySite
from lso_etl.settings import Settings
from lso_etl.store import warehouse

NEXT_QUERY = (
    'uv run lso-etl sql "select section, count(*) as articles from articles'
    ' group by section order by articles desc"'
)


def run_demo(settings: Settings, out: Console) -> dict[str, Any]:
    """Backfill the replay corpus's whole range, then run the daily flow, and summarise."""
    from flows.backfill import backfill
    from flows.daily import daily

    corpus = build_corpus()
    started = time.monotonic()
    # The replay site's own robots.txt paces us; the real site's 1 s floor is for the real site.
    with ReplaySite(corpus) as site:
        out.print(f"replay site with {len(corpus.articles)} articles at {site.base_url}")
        runs = [
            # 31-day chunks: the corpus's five months as five resumable runs.
            backfill(corpus.first_day, corpus.last_day, site.base_url, str(settings.db), 0.0, 31),
            daily(None, site.base_url, str(settings.db), 0.0),
        ]
    summary = _summary(settings, runs, len(corpus.articles), time.monotonic() - started)
    _print(out, summary)
    return summary


def _summary(
    settings: Settings, runs: list[dict[str, Any]], corpus_size: int, seconds: float
) -> dict[str, Any]:
    with warehouse.connect(settings.db, read_only=True) as con:
        row = con.execute("select count(*) from articles").fetchone()
        newest = con.execute(
            "select published_at, headline, authors from articles"
            " order by published_at desc nulls last limit 5"
        ).fetchall()
    return {
        "articles": row[0] if row else 0,
        "corpus": corpus_size,
        "runs": runs,
        "newest": newest,
        "seconds": round(seconds, 1),
    }


def _print(out: Console, summary: dict[str, Any]) -> None:
    out.print()
    out.print(
        f"[bold]{summary['articles']}[/bold] articles in the warehouse"
        f" (replay corpus: {summary['corpus']}), {summary['seconds']} s"
    )
    for run in summary["runs"]:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(run["counts"].items()))
        if not counts and run.get("chunks"):
            counts = f"nothing to do: all {run['chunks']} chunks finished by an earlier run"
        out.print(f"  {run['flow']:<8} {run['window'][0]}..{run['window'][1]}: {counts}")
    table = Table("published", "headline", "authors", title="Newest five")
    for published, headline, authors in summary["newest"]:
        when = published.strftime("%Y-%m-%d %H:%M") if published else "?"
        table.add_row(when, headline, ", ".join(authors) or "-")
    out.print(table)
    out.print(f"Next, try:\n  {NEXT_QUERY}")
