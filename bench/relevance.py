"""Relevance of search on the demo corpus: ours against the engine it replaced, same run.

    uv run python bench/relevance.py [--judgments bench/relevance_judgments.json] [--pool]

Builds the demo warehouse (tests/demo_warehouse.py: the replay corpus crawled and loaded),
then asks every judged query of both engines for its first ten hits:
- "today": the engine before issue 16, kept here verbatim as `TODAY_SQL` (BM25 over the
  folded headline, lead and body; every word required; accents, quotes and captions ignored;
  ties to the newer article), built on temporary tables of the same warehouse;
- "ours": `search.search`, what `lso-etl search` and the `search_articles` macro answer.
Each is scored against the judgments (0 not relevant, 1 relevant, 2 highly relevant; an
unjudged hit counts 0): precision@10 (grade >= 1) and nDCG@10 (gain 2^grade - 1, ideal
order from every judgment of the query). Prints a markdown table per query and the means.

`--pool` prints, for each query, the articles to judge instead (both engines' first ten and
up to ten more holding every word, with the sentences that hold them), to be read by a
person who writes the grades into the judgments file.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
from demo_warehouse import demo_db

from lso_etl.store import warehouse
from lso_etl.store.analyst import search
from lso_etl.store.analyst.textnorm import fold

JUDGMENTS = Path(__file__).with_name("relevance_judgments.json")
DEPTH = 10

# The engine before issue 16 (warehouse/macros/search_articles.sql at 68a76d0), on temp tables.
TODAY_SQL = """
create temp table today_docs as
    select article_id, doc, len(string_split(doc, ' ')) as doc_len
    from (select article_id, lso_fold(concat_ws(' ', headline, sapo, body)) as doc from articles);
create temp table today_terms as
    select term, article_id, count(*)::integer as tf, any_value(doc_len) as doc_len
    from (select article_id, len(string_split(doc, ' ')) as doc_len,
          unnest(string_split(doc, ' ')) as term from today_docs where doc <> '')
    group by term, article_id;
create temp macro today_search(query) as table
with
query_terms as (select distinct unnest(string_split(lso_fold(query), ' ')) as term),
corpus as (select count(*) as docs, avg(doc_len) as avg_len from today_docs),
hits as (select term, article_id, tf, doc_len from today_terms
         where term in (select term from query_terms where term <> '')),
document_frequency as (select term, count(*) as df from hits group by term),
scored as (
    select hits.article_id,
        sum(log((corpus.docs - df + 0.5) / (df + 0.5) + 1)
            * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * doc_len / corpus.avg_len))) as score,
        count(*) as terms_matched
    from hits join document_frequency using (term) cross join corpus
    group by hits.article_id)
select article_id, score from scored
where terms_matched = (select count(*) from query_terms where term <> '');
"""


def load(path: Path = JUDGMENTS) -> list[dict[str, object]]:
    queries: list[dict[str, object]] = json.loads(path.read_text(encoding="utf-8"))["queries"]
    return queries


def today(con: duckdb.DuckDBPyConnection, query: str, depth: int) -> list[str]:
    rows = con.execute(
        "select article_id from today_search(?) join articles using (article_id)"
        " order by score desc, published_at desc nulls last, article_id limit ?",
        [query, depth],
    ).fetchall()
    return [row[0] for row in rows]


def ours(con: duckdb.DuckDBPyConnection, query: str, depth: int) -> list[str]:
    return [hit.article_id for hit in search.search(con, query, limit=depth).hits]


ENGINES: dict[str, Callable[[duckdb.DuckDBPyConnection, str, int], list[str]]] = {
    "today": today,
    "ours": ours,
}


def precision(ranked: list[str], grades: dict[str, int]) -> float:
    return sum(1 for a in ranked[:DEPTH] if grades.get(a, 0) >= 1) / DEPTH


def ndcg(ranked: list[str], grades: dict[str, int]) -> float:
    def dcg(gains: list[int]) -> float:
        return sum((2.0**g - 1) / math.log2(rank + 2) for rank, g in enumerate(gains[:DEPTH]))

    ideal = dcg(sorted(grades.values(), reverse=True))
    return dcg([grades.get(a, 0) for a in ranked]) / ideal if ideal else 0.0


def scores(
    con: duckdb.DuckDBPyConnection, judged: list[dict[str, object]]
) -> list[dict[str, float]]:
    """Per query, P@10 and nDCG@10 of each engine ("today P@10", "ours nDCG@10", ...)."""
    rows = []
    for entry in judged:
        grades = entry["grades"]
        assert isinstance(grades, dict)
        row = {}
        for name, engine in ENGINES.items():
            ranked = engine(con, str(entry["query"]), DEPTH)
            row[f"{name} P@10"] = precision(ranked, grades)
            row[f"{name} nDCG@10"] = ndcg(ranked, grades)
        rows.append(row)
    return rows


def means(rows: list[dict[str, float]]) -> dict[str, float]:
    return {key: sum(row[key] for row in rows) / len(rows) for key in rows[0]}


def measure(con: duckdb.DuckDBPyConnection, judged: list[dict[str, object]]) -> None:
    rows = scores(con, judged)
    print("| query | kind | today P@10 | ours P@10 | today nDCG@10 | ours nDCG@10 |")
    print("|---|---|---|---|---|---|")
    for entry, row in zip(judged, rows, strict=True):
        print(f"| `{entry['query']}` | {entry['kind']} | {row['today P@10']:.2f}"
              f" | {row['ours P@10']:.2f} | {row['today nDCG@10']:.3f}"
              f" | {row['ours nDCG@10']:.3f} |")  # fmt: skip
    mean = means(rows)
    print(f"| **mean of {len(rows)}** | | {mean['today P@10']:.3f} | {mean['ours P@10']:.3f}"
          f" | {mean['today nDCG@10']:.3f} | {mean['ours nDCG@10']:.3f} |")  # fmt: skip


def pool(con: duckdb.DuckDBPyConnection, judged: list[dict[str, object]]) -> None:
    """What a person reads to judge: each pooled article's headline, lead and the sentences
    holding any query word."""
    texts = {
        row[0]: row[1:]
        for row in con.execute(
            "select article_id, headline, coalesce(sapo, ''), body,"
            " array_to_string(captions, ' | ') from articles"
        ).fetchall()
    }
    rng = random.Random(16)
    for entry in judged:
        query = str(entry["query"])
        words = set(fold(query).split())
        shown = list(dict.fromkeys(today(con, query, DEPTH) + ours(con, query, DEPTH)))
        holding = [a for a, t in texts.items() if words <= set(fold(" ".join(t)).split())]
        shown += rng.sample([a for a in holding if a not in shown], min(10, len(holding)))
        shown = list(dict.fromkeys(shown))
        print(f"\n## {query}  ({len(holding)} articles hold every word)")
        for article_id in sorted(shown):
            headline, lead, body, captions = texts[article_id]
            sentences = re.split(r"(?<=[.!?])\s+|\n+", f"{lead} {body} {captions}")
            enough = min(2, len(words))  # sentences holding two query words, or the only one
            near = [s for s in sentences if len(words & set(fold(s).split())) >= enough]
            print(f"- {article_id} | {headline} || " + " ~ ".join(near)[:300])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--judgments", type=Path, default=JUDGMENTS)
    parser.add_argument("--pool", action="store_true", help="Print the articles to judge.")
    args = parser.parse_args(argv)
    judged = load(args.judgments)
    with warehouse.connect(demo_db(), read_only=True) as con:
        con.execute(TODAY_SQL)
        (pool if args.pool else measure)(con, judged)


if __name__ == "__main__":
    main()
