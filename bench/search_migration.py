"""What migration 0105 (word pairs, weighted tf) costs an existing warehouse, and what it adds
to every later write of a stored article's search rows.

    uv run python bench/search_migration.py --before-db /tmp/lso-bench-search2/lso.duckdb \\
        --db /tmp/lso-bench-search2/new.duckdb --baseline-src /tmp/lso-base/src

`--before-db` is a warehouse built before 0105 (bench/warehouse.py at 2d94ab8^^, or any
real one); it is copied to `--db` and migrated on a connection set up as a run's lease sets
it (one thread, Settings.writer_memory): 0105 sets 0104's postings aside and migrate()
converts them (store.search_upgrade); then `refresh_search` shows whether a re-sort is left
to do (it should not be), and a forced one times what a run does after loading more than 5%
of the warehouse. The process's peak resident memory is reported after each.
Then, on each side (the baseline tree on the old warehouse, this tree on the migrated one,
each in its own process, PYTHONPATH pointing at its tree), the derived rows of stored
articles are rewritten as an edited article's are at load (`write_derived`, batches of 50,
rolled back): that delete-and-insert now touches the pairs too.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

BATCH = 50
BATCHES = 10


def migrate(before_db: Path, db: Path) -> dict[str, object]:
    from lso_etl.settings import Settings
    from lso_etl.store import warehouse
    from lso_etl.store.analyst import search

    for stale in db.parent.glob(db.name + "*"):
        stale.unlink()
    shutil.copy(before_db, db)
    result: dict[str, object] = {"load avg before": os.getloadavg()[0]}
    with warehouse.connect(db) as con:
        con.execute("set threads = 1")
        con.execute(f"set memory_limit = '{Settings().writer_memory}'")
        tick = time.monotonic()
        result["applied"] = warehouse.migrate(con)
        result["migrate s"] = round(time.monotonic() - tick, 1)
        result["re-sort s"] = search.refresh_search(con)["builtin"]
        result["peak MiB resident"] = round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        )
        # What a run does once a backfill has loaded more than 5% of the warehouse.
        result["forced re-sort s"] = search.refresh_search(con, force=True)["builtin"]
        result["peak MiB resident, re-sort included"] = round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        )
        for table in ("search_postings", "search_pairs"):
            row = con.execute(f"select count(*) from {table}").fetchone()
            result[f"{table} rows"] = row[0] if row else 0
    result["load avg after"] = os.getloadavg()[0]
    result["MiB before"] = round(before_db.stat().st_size / 2**20)
    result["MiB after"] = round(db.stat().st_size / 2**20)
    return result


def rewrite(db: Path) -> dict[str, float]:
    """Seconds to rewrite the derived rows of BATCHES batches of BATCH stored articles."""
    from lso_etl.store import warehouse
    from lso_etl.store.derived import write_derived

    with warehouse.connect(db) as con:
        rows = con.execute(
            "select article_id, authors from articles order by article_id limit ?",
            [BATCH * BATCHES],
        ).fetchall()
        spent = []
        for first in range(0, len(rows), BATCH):
            con.execute("begin")
            tick = time.perf_counter()
            write_derived(con, rows[first : first + BATCH])
            spent.append(time.perf_counter() - tick)
            con.execute("rollback")
    return {"ms per batch of 50": round(1000 * sum(spent) / len(spent), 1)}


def _side(src: Path | None, db: Path) -> dict[str, float]:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    out = subprocess.run(
        [sys.executable, __file__, "--side", "--db", str(db)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.splitlines()[-1])  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before-db", type=Path)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--baseline-src", type=Path)
    parser.add_argument("--skip-migrate", action="store_true", help="--db is migrated already.")
    parser.add_argument("--side", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.side:
        print(json.dumps(rewrite(args.db)))
        return
    if not args.skip_migrate:
        print("migration 0105:", migrate(args.before_db, args.db), flush=True)
    for turn in range(2):  # taking turns: the machine's load changes by the minute
        for name, src, db in (("baseline", args.baseline_src, args.before_db),
                              ("0105", None, args.db)):  # fmt: skip
            load = os.getloadavg()[0]
            print(f"turn {turn + 1}, {name}: {_side(src, db)}, load avg {load:.1f}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
