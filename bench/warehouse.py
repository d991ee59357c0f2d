"""Search on a generated 100,000-article warehouse: ranked search vs a naive ILIKE scan.

    uv run python bench/warehouse.py [--articles 100000] [--db /tmp/lso-bench/lso.duckdb]
                                     [--repeat 7] [--reuse] [--before-db OLD] [--search-only]

Builds the warehouse in bulk (pandas frames, one `insert ... select` per table: no pages to
fetch and parse, so it takes minutes, not the crawl's hours), then the search shadows and
positional postings with `search.rebuild_postings` (the loader's own SQL, in chunks, sorted).
Then, in the same process, each query's first page (20 hits) is timed `--repeat` times with
`search.search` (what `lso-etl search` runs), with the search macro before migration 0105
(bench/search_before.sql, same page query, reading `--before-db`: the same articles in a
warehouse built before 0105; "same page" compares the two pages, "same hits" every hit of both
macros: article, tiers, score within 1e-9) and, unless `--search-only`, with the engine search
replaced and the naive query an analyst would write: every word ILIKE'd over the
accent-stripped shadow column, newest first. Prints a markdown table of medians and the load
average.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import relevance  # bench/relevance.py, beside this file

from lso_etl.replay import texts, topics
from lso_etl.replay.corpus import SECTIONS, _fill, _fills, title_name
from lso_etl.store import warehouse
from lso_etl.store.analyst import search
from lso_etl.store.analyst.textnorm import fold, tone_key

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
QUERIES = ("nông thôn mới", "cửa khẩu Hữu Nghị", "hoà bình", "giải ngân vốn đầu tư công",
           "xa tan thanh", "Đảng bộ", '"cửa khẩu"', "cua khau", '"nong thon moi" lang son')  # fmt: skip
PAGE = 20


def generate(count: int, seed: int = 5) -> pd.DataFrame:
    """`count` articles of ~3 KB written from the replay corpus's sentence banks."""
    rng = random.Random(seed)
    when = datetime(2020, 5, 5, tzinfo=TZ)
    bank = [s for t in topics.TOPICS.values() for s in t.sentences] + list(texts.COMMON_SENTENCES)
    sentences = [_fill(rng, rng.choice(bank), _fills(rng, when)) for _ in range(5000)]
    heads = [(slug, t.headlines) for slug, t in topics.TOPICS.items()]
    names = {s.slug: s.name for s in SECTIONS}
    start = datetime(2012, 1, 1, 6, tzinfo=TZ)
    rows = []
    for number in range(count):
        slug, templates = rng.choice(heads)
        published = start + timedelta(minutes=rng.randrange(14 * 365 * 24 * 60))
        headline = _fill(rng, rng.choice(templates), _fills(rng, published))
        paragraphs = [" ".join(rng.choices(sentences, k=rng.randint(3, 6))) for _ in range(7)]
        authors = [title_name(rng.choice(texts.REPORTERS))]
        captions = [rng.choice(sentences)[:120]]
        rows.append((f"new:{6_000_000 + number}", headline, paragraphs[0], "\n\n".join(paragraphs[1:]),
                     authors, published, names[slug], captions))  # fmt: skip
    frame = pd.DataFrame(
        rows,
        columns=["article_id", "headline", "sapo", "body", "authors", "published_at", "section",
                 "captions"],
    )  # fmt: skip
    frame["word_count"] = (frame.sapo + " " + frame.body).str.count(" ") + 1
    return frame


def build(db: Path, count: int, replaced_engine: bool = True) -> dict[str, float]:
    """A fresh warehouse of `count` generated articles. Seconds per step."""
    seconds: dict[str, float] = {}
    tick = time.monotonic()
    frame = generate(count)
    seconds["generate"] = time.monotonic() - tick
    tick = time.monotonic()
    authors = pd.DataFrame({"article_id": frame.article_id, "name": frame.authors.str[0]})
    authors["author_key"] = authors.name.map(tone_key)
    seconds["author keys"] = time.monotonic() - tick
    for stale in db.parent.glob(db.name + "*"):
        stale.unlink()
    with warehouse.connect(db) as con:
        warehouse.migrate(con)
        tick = time.monotonic()
        _insert(con, frame, authors)
        seconds["insert"] = time.monotonic() - tick
        tick = time.monotonic()
        search.rebuild_postings(con)
        seconds["shadows and postings"] = time.monotonic() - tick
        if replaced_engine:
            tick = time.monotonic()
            build_today(con)
            seconds["the replaced engine's postings"] = time.monotonic() - tick
    return {step: round(value, 1) for step, value in seconds.items()}


def _insert(
    con: duckdb.DuckDBPyConnection,
    frame: pd.DataFrame,
    authors: pd.DataFrame,
) -> None:
    con.register("frame", frame)
    con.register("bench_authors", authors)
    con.execute("""
        insert into articles (article_id, url, headline, sapo, dateline, body, authors, source,
            captions, images, published_at, modified_at, section, tags, layout, provenance,
            word_count, content_hash, parser_version, first_seen_at, last_fetched_at, version,
            run_id)
        select article_id, 'https://baolangson.vn/bai-' || article_id[5:] || '.html', headline,
            sapo, 'LSO', body, authors, null, captions, [], published_at, null, section, [], 'current',
            map(['headline', 'body'], ['current:h1.name', 'current:div#content-detail']),
            word_count, md5(body), 'bench', now(), now(), 1, 'bench'
        from frame
    """)  # fmt: skip
    con.execute("""
        insert into article_versions (article_id, version, content_hash, headline, sapo, body,
            valid_from, valid_to, run_id)
        select article_id, 1, content_hash, headline, sapo, body, first_seen_at, null, run_id
        from articles
    """)  # fmt: skip
    con.execute(
        "insert into article_authors select article_id, 1, name, author_key from bench_authors"
    )


def build_today(con: duckdb.DuckDBPyConnection) -> None:
    """The engine search replaced (bench/relevance.py's TODAY_SQL), kept in this warehouse."""
    sql = relevance.TODAY_SQL.replace("create temp table", "create or replace table")
    con.execute(sql.replace("create temp macro", "create or replace macro"))
    con.execute("create or replace table today_terms as from today_terms order by term, article_id")
    con.execute("checkpoint")


def today(con: duckdb.DuckDBPyConnection, query: str) -> list[tuple[object, ...]]:
    return con.execute(
        "with scored as (select * from today_search($query)),"
        " page as (select article_id, score, published_at from scored join articles"
        " using (article_id) order by score desc, published_at desc nulls last, article_id"
        f" limit {PAGE}) select article_id, score, headline, url from page join articles"
        " using (article_id) order by score desc",
        {"query": query},
    ).fetchall()


def before(con: duckdb.DuckDBPyConnection, query: str) -> list[tuple[object, ...]]:
    """The first page as `search.search` built it, from the macro before 0105."""
    return con.execute(
        "with scored as (select * from search_articles_before($query)),"
        " page as (select scored.*, published_at from scored join articles using (article_id)"
        " order by score desc, published_at desc nulls last, article_id limit $limit)"
        " select article_id, score, page.published_at, section, headline, sapo, url"
        " from page join articles using (article_id)"
        " order by score desc, page.published_at desc nulls last, article_id",
        {"query": query, "limit": PAGE},
    ).fetchall()


def same_page(found: search.Results, earlier: list[tuple[object, ...]]) -> str:
    """'yes' when both pages list the same articles in the same order; 'ties' when only
    articles whose scores agree to 1e-12 swap places (either engine's float sums may differ in
    the last bit from run to run); else 'NO'."""
    if [hit.article_id for hit in found.hits] == [row[0] for row in earlier]:
        return "yes"
    if len(found.hits) != len(earlier):
        return "NO"
    scores = zip([hit.score for hit in found.hits], [row[1] for row in earlier], strict=True)
    return "ties" if all(abs(a - float(b)) < 1e-12 for a, b in scores) else "NO"  # type: ignore[arg-type]


def define_search(con: duckdb.DuckDBPyConnection, before_db: Path | None) -> None:
    """This checkout's search macros and, given the warehouse built before 0105, the macro
    before it, as temp macros (they come first), so a warehouse built earlier is timed
    read-only with today's SQL."""
    root = Path(__file__).resolve().parents[1]
    for name in ("lso_search_words.sql", "search_articles.sql"):
        sql = (root / "warehouse" / "macros" / name).read_text(encoding="utf-8")
        con.execute(sql.replace("create or replace macro", "create or replace temp macro"))
    if before_db is not None:
        con.execute(f"attach '{before_db}' as old (read_only)")
        con.execute((Path(__file__).with_name("search_before.sql")).read_text(encoding="utf-8"))


def same_hits(con: duckdb.DuckDBPyConnection, query: str) -> str:
    """Every hit of both macros, not only the page (a full outer join): 'yes' when the same
    articles come back with the same tiers and scores within 1e-9, else how many differ."""
    row = con.execute(
        "select count(*) filter (where new.article_id is null or old.article_id is null"
        "  or new.accents_match <> old.accents_match or new.phrase_match <> old.phrase_match"
        "  or abs(new.score - old.score) > 1e-9), max(abs(new.score - old.score)), count(*)"
        " from search_articles($q) as new"
        " full outer join search_articles_before($q) as old using (article_id)",
        {"q": query},
    ).fetchone()
    assert row is not None
    differ, gap, hits = row
    return f"yes ({hits}, ±{gap or 0:.0e})" if differ == 0 else f"NO: {differ} of {hits}"


def naive(con: duckdb.DuckDBPyConnection, query: str) -> list[tuple[object, ...]]:
    """What an analyst would write without the index: every word ILIKE'd, newest first."""
    words = fold(query).split()
    where = " and ".join("article_search.doc ilike ?" for _ in words)
    return con.execute(
        "select article_id, headline, published_at from article_search join articles using"
        f" (article_id) where {where} order by published_at desc limit {PAGE}",
        [f"%{word}%" for word in words],
    ).fetchall()


def median_ms(run: Callable[[], object], repeat: int) -> float:
    spent = []
    for _ in range(repeat):
        tick = time.perf_counter()
        run()
        spent.append(time.perf_counter() - tick)
    return round(statistics.median(spent) * 1000, 1)


def measure(
    db: Path, repeat: int, before_db: Path | None, search_only: bool
) -> list[dict[str, object]]:
    rows = []
    with warehouse.connect(db, read_only=True) as con:
        define_search(con, before_db)
        for query in QUERIES:
            row: dict[str, object] = {"query": query, "load avg": os.getloadavg()[0]}
            row["hits"] = len(search.search(con, query, limit=PAGE).hits)
            for _ in range(2 if before_db else 1):  # taking turns: the load changes by the minute
                spent = median_ms(lambda q=query: search.search(con, q, limit=PAGE), repeat)  # type: ignore[misc]
                row["search ms"] = str(row.get("search ms", "")) + f" {spent}"
                if before_db is not None:
                    spent = median_ms(lambda q=query: before(con, q), repeat)  # type: ignore[misc]
                    row["before ms"] = str(row.get("before ms", "")) + f" {spent}"
            if before_db is not None:
                page = search.search(con, query, limit=PAGE)
                row["same page"] = same_page(page, before(con, query))
                row["same hits"] = same_hits(con, query)
            if not search_only:
                row["replaced engine ms"] = median_ms(lambda q=query: today(con, q), repeat)  # type: ignore[misc]
                row["naive ms"] = median_ms(lambda q=query: naive(con, q.replace('"', "")), repeat)  # type: ignore[misc]
            row["load avg"] = f"{row['load avg']:.1f}-{os.getloadavg()[0]:.1f}"
            rows.append(row)
    return rows


def naive_strip_at_query_time(db: Path, query: str) -> float:
    """The same naive search stripping accents in the query itself (no shadow column): once."""
    with warehouse.connect(db, read_only=True) as con:
        words = fold(query).split()
        text = "strip_accents(lower(headline || ' ' || coalesce(sapo, '') || ' ' || body))"
        where = " and ".join(f"{text} ilike ?" for _ in words)
        tick = time.perf_counter()
        con.execute(
            f"select article_id from articles where {where} order by published_at desc limit {PAGE}",
            [f"%{word}%" for word in words],
        ).fetchall()
        return round((time.perf_counter() - tick) * 1000, 1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/lso-bench/lso.duckdb"))
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="Time an existing warehouse.")
    parser.add_argument("--before-db", type=Path, help="The same articles, built before 0105.")
    parser.add_argument(
        "--search-only", action="store_true", help="Skip the replaced engine and the naive scan."
    )
    args = parser.parse_args(argv)
    if not args.reuse:
        print(
            f"build of {args.articles} articles (seconds): {build(args.db, args.articles, not args.search_only)}"
        )
    with warehouse.connect(args.db, read_only=True) as con:
        size = con.execute("select count(*) from articles").fetchone()
    print(
        f"{size[0] if size else 0} articles, {args.db.stat().st_size / 2**20:.0f} MiB; medians of {args.repeat}"
    )
    rows = measure(args.db, args.repeat, args.before_db, args.search_only)
    columns = list(rows[0])
    print("| " + " | ".join(columns) + " |\n|" + "---|" * len(columns))
    for row in rows:
        print("| " + " | ".join(str(row[c]) for c in columns) + " |")
    if args.search_only:
        return
    print(f"naive, accents stripped in the query (one run, '{QUERIES[0]}'):",
          naive_strip_at_query_time(args.db, QUERIES[0]), "ms")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
