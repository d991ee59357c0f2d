"""`lso-etl demo`: the real flows against the bundled replay site, then a short summary."""

from __future__ import annotations

import shlex
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from lso_etl.cli.output import table
from lso_etl.pipeline.report_page import refresh_report
from lso_etl.replay.archives.wayback import serve_wayback
from lso_etl.replay.corpus import build_corpus
from lso_etl.replay.model import Corpus
from lso_etl.replay.server import ReplaySite
from lso_etl.settings import Settings
from lso_etl.store import warehouse

NEXT_QUERY = (
    'sql "select section, count(*) as articles from articles group by section'
    ' order by articles desc"'
)


def next_command(db: Path) -> str:
    """The command to try next, on the warehouse the demo filled (not the default one)."""
    return f"uv run lso-etl --db {shlex.quote(str(db))} {NEXT_QUERY}"


DEMO_DB = Path("warehouse/demo.duckdb")


def demo_settings(settings: Settings, db_chosen: bool | None = None) -> Settings:
    """The demo's own warehouse (and so its own archive, `warehouse/demo.raw/`) unless the
    user chose one (--db, LSO_DB): replay data in the default warehouse would make the next
    `lso-etl daily` refuse it as mixed. Unknown (None): chosen when it is not the default."""
    if db_chosen is None:
        db_chosen = settings.db != Settings().db
    return settings if db_chosen else replace(settings, db=DEMO_DB)


def db_given(ctx: typer.Context) -> bool:
    """Whether this `lso-etl` command line got --db or LSO_DB, even one naming the default file.
    (By the source's name: typer ships its own copy of click's ParameterSource.)"""
    source = ctx.find_root().get_parameter_source("db")
    return source is not None and source.name not in ("DEFAULT", "DEFAULT_MAP")


def run_demo(settings: Settings, out: Console, db_chosen: bool | None = None) -> dict[str, Any]:
    """Backfill the replay corpus's whole range, then run the daily flow, and summarise, in
    the demo's own warehouse unless one was chosen (`demo_settings`)."""
    from flows.backfill import backfill
    from flows.daily import daily

    settings = demo_settings(settings, db_chosen)
    corpus = build_corpus()
    started = time.monotonic()
    # The replay site's own robots.txt paces us; the real site's 1 s floor is for the real site.
    with ReplaySite(corpus) as site:
        out.print(
            f"replay site with {len(corpus.articles)} articles at {site.base_url};"
            f" warehouse {settings.db}, raw archive {settings.archive_dir}"
        )
        runs = [
            # 31-day chunks: the corpus's five months as five resumable runs.
            # From the replay site whatever LSO_SOURCE says: never a real archive.
            backfill(
                corpus.first_day,
                corpus.last_day,
                site.base_url,
                str(settings.db),
                0.0,
                31,
                source="site",
            ),
            daily(None, site.base_url, str(settings.db), 0.0),
        ]
    summary = _summary(settings, runs, len(corpus.articles), time.monotonic() - started)
    summary["report"] = refresh_report(settings)  # the page's path; None (logged) if not written
    _print(out, summary)
    summary["archive"] = _archive_backfill(settings, corpus, out)
    return summary


def _archive_backfill(settings: Settings, corpus: Corpus, out: Console) -> dict[str, Any]:
    """The corpus's first month again, from the replay Wayback Machine, into a warehouse of its
    own (`demo-wayback.duckdb`): what `lso-etl backfill --source wayback` does. CDX calls keep
    their 1.5 s pace; page reads are unpaced, as on the replay site."""
    from lso_etl.pipeline.run import backfill

    db = settings.db.with_name(f"{settings.db.stem}-wayback.duckdb")
    first = corpus.first_day
    next_month = first.replace(day=28) + timedelta(days=4)
    last = min(corpus.last_day, next_month - timedelta(days=next_month.day))
    with serve_wayback(corpus) as wayback:
        archive_settings = replace(
            settings, db=db, raw_dir="", source="wayback", wayback_url=wayback.base_url,
            min_delay=0.0,
        )  # fmt: skip
        out.print(f"\nthen {first}..{last} from a replay Wayback Machine into {db}")
        result = backfill(archive_settings, first, last)
        requests = len(wayback.targets)
    with warehouse.connect(db, read_only=True) as con:
        rows = con.execute(
            "select fetched_from, count(*), min(capture_time), max(capture_time) from articles"
            " group by all"
        ).fetchall()
    counted = " ".join(f"{name}={n}" for name, n in sorted(result["counts"].items()))
    for source, count, earliest, latest in rows:
        out.print(f"  {count} articles from {source}, captured {earliest:%Y-%m-%d}..{latest:%Y-%m-%d}"
                  f" ({requests} requests to the archive; {counted})")  # fmt: skip
    return {"db": db, "counts": result["counts"], "requests": requests}


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
        "db": settings.db,
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
    rows = [
        (published or "?", headline, ", ".join(authors) or "-")
        for published, headline, authors in summary["newest"]
    ]  # on a terminal a table that folds long cells; in a pipe whole TSV lines
    table(("published", "headline", "authors"), rows, title="Newest five")
    if summary.get("report"):
        out.print(f"Report page (open it in a browser):\n  {summary['report']}", soft_wrap=True)
    # One line however narrow the terminal: a command wrapped mid-query cannot be pasted.
    out.print(f"Next, try:\n  {next_command(summary['db'])}", soft_wrap=True)
