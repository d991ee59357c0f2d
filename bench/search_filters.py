"""First page of `lso-etl search` with its filters (days, section) on a large warehouse.

    uv run python bench/search_filters.py --db /tmp/lso-bench/lso.duckdb [--repeat 5]
        [--before OLD_MACRO.sql]

(`bench/warehouse.py` builds such a warehouse.) This checkout's macros are timed, as temp
macros, whatever the warehouse holds. Each filtered page is timed beside the same query
unfiltered, in the same run and process, as a ratio: a filter keeps fewer articles, so it
should cost about as much or less. `--before` times another `search_articles` macro file once
per filtered page (e.g. `git show 5cdb6d8:warehouse/macros/search_articles.sql`): until stop 23
the filters' article list was a subquery that DuckDB evaluated again for every posting.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from lso_etl.store import warehouse
from lso_etl.store.analyst import search
from warehouse import define_search, median_ms  # bench/warehouse.py

QUERIES = ("cua khau", "nông thôn mới", "Đảng bộ")
FILTERS: dict[str, dict[str, Any]] = {
    "a year": {"start": date(2020, 1, 1), "end": date(2020, 12, 31)},
    "a section": {"section": "kinh te"},
    "a month and a section": {"start": date(2020, 1, 1), "end": date(2020, 1, 31), "section": "xa hoi"},
}  # fmt: skip
PAGE = 20


def measure(db: Path, repeat: int, before: Path | None) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    with warehouse.connect(db, read_only=True) as con:
        define_search(con, None)
        for query in QUERIES:
            for name, kept in FILTERS.items():
                load = os.getloadavg()[0]
                hits = search.search(con, query, limit=PAGE, **kept).hits
                filtered = median_ms(partial(search.search, con, query, limit=PAGE, **kept), repeat)
                alone = median_ms(partial(search.search, con, query, limit=PAGE), repeat)
                rows.append({
                    "query": query, "filter": name, "hits": len(hits),
                    "filtered ms": filtered, "unfiltered ms": alone,
                    "filtered / unfiltered": f"{filtered / alone:.2f}",
                    "load avg": f"{load:.1f}-{os.getloadavg()[0]:.1f}",
                })  # fmt: skip
                if before is not None:
                    rows[-1]["before ms (once)"] = _once(con, before, query, kept)
                    define_search(con, None)
    return rows


def _once(con: Any, macro: Path, query: str, kept: dict[str, Any]) -> float:
    sql = macro.read_text(encoding="utf-8")
    con.execute(sql.replace("create or replace macro", "create or replace temp macro"))
    return median_ms(partial(search.search, con, query, limit=PAGE, **kept), 1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/lso-bench/lso.duckdb"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--before", type=Path, help="Another search_articles macro, timed once.")
    args = parser.parse_args(argv)
    rows = measure(args.db, args.repeat, args.before)
    columns = list(rows[0])
    print(f"medians of {args.repeat}")
    print("| " + " | ".join(columns) + " |\n|" + "---|" * len(columns))
    for row in rows:
        print("| " + " | ".join(str(row[c]) for c in columns) + " |")


if __name__ == "__main__":
    sys.exit(main())
