"""Crawl benchmark: backfills of a large replay corpus, end to end, into a fresh warehouse.

    uv run python bench/crawl.py                 # every scenario below; a markdown table at the end
    uv run python bench/crawl.py --only lib flow # some of them

Each scenario runs in its own process (so peak RSS is its own), against the replay site in
another process (so the server's CPU and memory are not counted), with pacing off unless
the scenario says otherwise:

- crawl-only / crawl-only-4x: 2,000 (8,000) articles discovered, fetched, archived, indexed
  and parsed, not loaded (the crawling side alone; bench/warehouse.py measures the loader);
- lib / flow: 2,000 articles, concurrency 8, with and without the Prefect flow engine around
  the same library calls (`lso_etl.pipeline.run.backfill` vs `flows.backfill.backfill`);
- lib-faults / flow-faults: the same with 20% of all requests faulted (seed 2017); chunks
  whose discovery failed are rerun (lib: up to 3 passes; flow: its one chunk retry);
- lib-4x / flow-4x: 8,000 articles, to show peak RSS does not grow with the run;
- paced: default pacing (1 s between request starts, one at a time) over 60 articles, to
  compare wall time with requests x delay.

The flow scenarios use one long-lived `prefect server start` (its startup is not counted).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
START = date(2017, 1, 1)
PER_DAY = (8, 12)  # ~10 articles a day, like the real paper
DAYS = 200  # ~2,000 articles
SCENARIOS: dict[str, dict[str, Any]] = {
    "crawl-only": {"days": DAYS, "engine": "crawl-only"},
    "crawl-only-4x": {"days": 4 * DAYS, "engine": "crawl-only"},
    "lib": {"days": DAYS, "engine": "lib"},
    "flow": {"days": DAYS, "engine": "flow"},
    "lib-faults": {"days": DAYS, "engine": "lib", "fault_rate": 0.2},
    "flow-faults": {"days": DAYS, "engine": "flow", "fault_rate": 0.2},
    "lib-4x": {"days": 4 * DAYS, "engine": "lib"},
    "flow-4x": {"days": 4 * DAYS, "engine": "flow"},
    "paced": {"days": 6, "engine": "flow", "min_delay": 1.0, "concurrency": 1},
}
FAST = {  # pacing off, and fault timeouts short enough not to dominate the run
    "LSO_MIN_DELAY": "0", "LSO_CONCURRENCY": "8", "LSO_BACKOFF": "0.05",
    "LSO_READ_TIMEOUT": "1", "LSO_TOTAL_TIMEOUT": "2", "LSO_MAX_RETRY_AFTER": "5",
    "LSO_CHUNK_RETRY_DELAY": "1",  # the flow retries a failed chunk once: after 1 s, not 30 s
}  # fmt: skip


# --- the replay site, in its own process ------------------------------------------------------
def serve(days: int, fault_rate: float, crawl_delay: float) -> None:
    """Child process: serve the corpus until stdin closes; print the base URL first."""
    from lso_etl.replay.corpus import build_corpus
    from lso_etl.replay.server import ReplaySite

    corpus = build_corpus(2017, START, days, PER_DAY)
    site = ReplaySite(corpus, crawl_delay=crawl_delay, fault_rate=fault_rate, fault_seed=2017,
                      slow_seconds=3.0)  # fmt: skip
    print(json.dumps({"base_url": site.start(), "articles": len(corpus.articles),
                      "first": corpus.first_day.isoformat(),
                      "last": corpus.last_day.isoformat()}), flush=True)  # fmt: skip
    sys.stdin.read()
    site.stop()


def start_site(
    days: int, fault_rate: float, crawl_delay: float
) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    command = [sys.executable, __file__, "--serve", str(days), str(fault_rate), str(crawl_delay)]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, json.loads(process.stdout.readline())


# --- one scenario, in its own process ---------------------------------------------------------
def run_scenario(engine: str, base_url: str, db: str, first: str, last: str) -> dict[str, Any]:
    """Child process: one backfill; wall time, counts, requests and this process's peak RSS."""
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    # Imports are paid once per process, not per run: timed apart from the backfill.
    imported = time.perf_counter()
    if engine == "flow":
        from flows.backfill import backfill as backfill_flow
    from lso_etl import pipeline  # noqa: F401

    extra: dict[str, Any] = {"import_s": round(time.perf_counter() - imported, 2)}
    began = time.perf_counter()
    if engine == "flow":
        summary = backfill_flow(start, end, base_url, db)
        counts, requests = summary["counts"], summary["requests"]
    else:
        counts, busy = _library_backfill(engine, base_url, Path(db), start, end)
        extra |= busy
        requests = _requests(Path(db))
    seconds = time.perf_counter() - began
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if engine != "crawl-only":  # each article's final outcome, whatever the passes and retries
        counts = _final_outcomes(Path(db))
    return {"seconds": round(seconds, 2), "counts": counts, "requests": requests,
            "peak_rss_mb": round(peak_kb / 1024, 1), **extra}  # fmt: skip


def _library_backfill(
    engine: str, base_url: str, db: Path, start: date, end: date
) -> tuple[dict[str, int], dict[str, Any]]:
    """`lso_etl.pipeline.run.backfill` with timed steps; "crawl-only" indexes the archive, loads nothing."""
    from lso_etl.models import Outcome, UrlOutcome
    from lso_etl.pipeline import run as pipeline
    from lso_etl.pipeline import steps as crawl
    from lso_etl.settings import Settings
    from lso_etl.store.crawl_state import archive_index

    busy = {"crawl_s": 0.0, "load_s": 0.0}

    def timed_crawl(fetcher: Any, jobs: Any) -> Any:
        began = time.perf_counter()
        items = crawl.crawl_batch(fetcher, jobs)
        busy["crawl_s"] += time.perf_counter() - began
        return items

    def timed_load(settings: Any, run_id: str, items: Any, records: Any, lease: Any) -> Any:
        began = time.perf_counter()
        if engine == "crawl-only":
            with lease.connection() as con:
                archive_index.insert(con, records)
            outcomes = [UrlOutcome(i.fetched.ref.url, i.fetched.ref.article_id, Outcome.LOADED)
                        for i in items if i.parsed is not None]  # fmt: skip
        else:
            outcomes = crawl.load_items(settings, run_id, items, records, lease)
        busy["load_s"] += time.perf_counter() - began
        return outcomes

    steps = pipeline.Steps(
        pipeline.BARE.discover,
        lambda fetcher, jobs: pipeline._BACKGROUND.submit(timed_crawl, fetcher, jobs),
        timed_load,
    )
    settings = Settings.from_env(base_url=base_url, db=db)
    counts: dict[str, int] = {}
    passes, failed = 0, True
    while failed and passes < 3:  # as an operator would: rerun while chunks failed (faults)
        summary = pipeline.backfill(settings, start, end, None, steps)
        for key, value in summary["counts"].items():
            counts[key] = counts.get(key, 0) + value
        passes, failed = passes + 1, bool(summary["chunks_failed"])
    return counts, {"passes": passes, **{k: round(v, 1) for k, v in busy.items()}}


def _final_outcomes(db: Path) -> dict[str, int]:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("select last_outcome, count(*) from frontier group by 1").fetchall()
    return {str(outcome): int(n) for outcome, n in rows}


def _requests(db: Path) -> int:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute("select sum(requests) from runs").fetchone()
    return int(row[0] or 0) if row else 0


def measure(name: str, spec: dict[str, Any], workdir: Path) -> dict[str, Any]:
    crawl_delay = 0.0 if "min_delay" not in spec else 0.01
    site, info = start_site(spec["days"], spec.get("fault_rate", 0.0), crawl_delay)
    db = workdir / name / "lso.duckdb"
    env = {**os.environ, **FAST}
    if "min_delay" in spec:
        env |= {
            "LSO_MIN_DELAY": str(spec["min_delay"]),
            "LSO_CONCURRENCY": str(spec["concurrency"]),
        }
    try:
        command = [sys.executable, __file__, "--scenario", spec["engine"], info["base_url"],
                   str(db), info["first"], info["last"]]  # fmt: skip
        done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{name} failed:\n{done.stderr[-3000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        assert site.stdin is not None
        site.stdin.close()
        site.wait(timeout=30)
    loaded = result["counts"].get("loaded", 0)
    result |= {"scenario": name, "corpus": info["articles"], "loaded": loaded,
               "articles_per_s": round(loaded / result["seconds"], 1)}  # fmt: skip
    if "min_delay" in spec:
        budget = result["requests"] * spec["min_delay"]
        result |= {"budget_s": budget, "over_budget": round(result["seconds"] / budget - 1, 3)}
    return result


def main(only: list[str]) -> None:
    from lso_etl.pipeline.prefect_server import local_server

    workdir = Path(tempfile.mkdtemp(prefix="lso-bench-"))
    os.environ.setdefault("PREFECT_HOME", str(workdir / "prefect"))
    os.environ |= {"DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                   "PREFECT_LOGGING_LEVEL": "WARNING"}  # fmt: skip
    results = []
    with local_server(port=4277):
        for name in only or list(SCENARIOS):
            results.append(measure(name, SCENARIOS[name], workdir))
            print(json.dumps(results[-1]), flush=True)
    print(table(results))


def table(results: list[dict[str, Any]]) -> str:
    by_name = {r["scenario"]: r for r in results}
    lines = [f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores,"
             f" Python {platform.python_version()}", "",
             "| scenario | corpus | loaded | other outcomes | requests | wall s | articles/s | peak RSS MB |",
             "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in results:
        other = ", ".join(f"{k} {v}" for k, v in sorted(r["counts"].items()) if k != "loaded")
        lines.append(f"| {r['scenario']} | {r['corpus']} | {r['loaded']} | {other or '-'} |"
                     f" {r['requests']} | {r['seconds']} | {r['articles_per_s']} | {r['peak_rss_mb']} |")  # fmt: skip
    if "lib" in by_name and "flow" in by_name:
        share = 1 - by_name["lib"]["seconds"] / by_name["flow"]["seconds"]
        lines.append(
            f"\nPrefect overhead (flow vs lib, same work): {share:.1%} of the flow's wall time"
        )
    for small, big in (("lib", "lib-4x"), ("flow", "flow-4x")):
        if small in by_name and big in by_name:
            growth = by_name[big]["peak_rss_mb"] / by_name[small]["peak_rss_mb"] - 1
            lines.append(f"Peak RSS {big} vs {small}: {growth:+.1%}")
    if "paced" in by_name:
        p = by_name["paced"]
        lines.append(f"Paced: {p['seconds']} s for {p['requests']} requests x 1.0 s = {p['budget_s']} s"
                     f" ({p['over_budget']:+.1%})")  # fmt: skip
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]))
    elif sys.argv[1:2] == ["--scenario"]:
        print(json.dumps(run_scenario(*sys.argv[2:7])))
    else:
        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument("--only", nargs="*", default=[], choices=list(SCENARIOS))
        main(parser.parse_args().only)
