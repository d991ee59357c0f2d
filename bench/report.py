"""The report page's build time and size: a generated year of 100,000 articles, or any warehouse.

    uv run python bench/report.py [--articles 100000] [--db PATH] [--repeat 3]

Without --db it generates a warehouse in bulk (SQL `insert ... select`, seconds): one year of
articles (about 7 times the real site's ~15,000 a year) in 7 sections by 40 authors and 4
newsroom bylines, three layouts with a redesign in the ninth month (fallback share rising),
one daily run a day (a few failed or interrupted), their outcomes, data checks and some
quarantined pages. With --db it measures that warehouse as it is (e.g. the demo's).

Each build is timed whole (read-only connection, queries, charts, HTML, write) and in parts;
the first build of a process pays for the Vega bundle unless it is in the user's cache, so the
bundle is timed apart, and the cold figure (bundle made) is printed beside the warm one.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from lso_etl.store import warehouse
from lso_etl.store.analyst.readonly import open_read_only
from lso_etl.store.analyst.report import build_report, charts, data, page

SECTIONS = ["Thời sự", "Kinh tế", "Xã hội", "Văn hóa", "Thể thao", "Quốc phòng - An ninh",
            "Chính trị"]  # fmt: skip
PEOPLE = [f"{a} {b}" for a in ("Minh", "Thu", "Hoàng", "Ngọc", "Văn") for b in
          ("Đức", "Hà", "Như", "Duy", "Đạt", "Yến", "Linh", "Hưng")]  # fmt: skip
NEWSROOM = ["Nhóm PV", "BBT", "PV", "TTXVN"]


def quoted(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


GENERATE = """
create temp table days as
    select cast(timestamp '2025-01-01 00:00:00+07' + to_days(d) as timestamptz) as day_start, d
    from range(365) t(d);
insert into runs (run_id, flow, base_url, respect_robots, parser_version, started_at,
                  finished_at, status, counts, requests, bytes_fetched, checks, checks_failed)
select printf('%012x', d), 'daily', 'https://baolangson.vn', true, 'bench',
    day_start + interval 30 hour, day_start + interval 30 hour + to_seconds(200 + d % 90),
    case when d % 97 = 13 then 'failed' when d % 89 = 7 then 'interrupted' else 'completed' end,
    map {{'loaded': {per_day}, 'unchanged': 40 + d % 7, 'http_error': d % 3}},
    {per_day} + 60, ({per_day} + 60) * 150000,
    map {{'duplicate_article_ids': 0, 'empty_body_in_ok_record': case when d > 300 then d % 4 else 0 end}},
    case when d > 300 and d % 4 > 0 then 1 else 0 end
from days;
insert into articles (article_id, url, headline, sapo, dateline, body, authors, source, captions,
    images, published_at, modified_at, section, tags, layout, provenance, word_count,
    content_hash, parser_version, first_seen_at, last_fetched_at, version, run_id)
select 'new:' || (6000000 + i), 'https://baolangson.vn/bai-' || i || '.html',
    'Lạng Sơn: tin số ' || i || ' về cửa khẩu Hữu Nghị', 'Sapo ' || i, 'LSO',
    'Nội dung bài viết số ' || i, [authors[1 + i % len(authors)]], null, [], [],
    published, published, sections[1 + i % len(sections)], [],
    case when day_index >= 243 and i % 3 = 0 then 'fallback'
         when i % 5 = 0 then 'legacy' else 'current' end,
    map {{'headline': case when day_index >= 243 and i % 3 = 0 then 'fallback' else 'h1' end,
         'body': 'content'}},
    300, md5(i::varchar), 'bench', published + interval 2 hour, published + interval 2 hour, 1,
    printf('%012x', day_index)
from (
    select i, {sections} as sections, {authors} as authors,
        cast(i * 365 / {articles} as integer) as day_index,
        cast(timestamp '2025-01-01 06:00:00+07' + to_seconds(cast(i * 365 * 86400 / {articles} as bigint) % 57600)
             + to_days(cast(i * 365 / {articles} as integer)) as timestamptz) as published
    from range({articles}) t(i)
);
insert into article_versions (article_id, version, content_hash, headline, sapo, body,
    valid_from, valid_to, run_id)
select article_id, 1, content_hash, headline, sapo, body, first_seen_at, null, run_id from articles;
insert into article_authors
select article_id, 1, authors[1], lower(authors[1]) from articles;
insert into url_outcomes
select run_id, url, article_id, 'loaded', 'new', 'sitemap', first_seen_at from articles;
insert into quarantine (url, article_id, run_id, stage, reason, fetched_at)
select 'https://baolangson.vn/x-' || i || '.html', 'new:' || i, printf('%012x', i % 365), 'parse',
    case when i % 3 = 0 then 'no body container' else 'body too short' end,
    timestamp '2025-01-02 06:00:00+07' + to_days(i % 365)
from range({quarantined}) t(i);
"""


def generate(db: Path, articles: int) -> float:
    started = time.monotonic()
    with warehouse.connect(db) as con:
        warehouse.migrate(con)
        people = PEOPLE * 3 + NEWSROOM  # people sign most pieces
        sizes = {"articles": articles, "per_day": articles // 365, "quarantined": articles // 200}
        con.execute(GENERATE.format(**sizes, sections=quoted(SECTIONS), authors=quoted(people)))
    return time.monotonic() - started


def measure(db: Path, repeat: int) -> dict[str, float]:
    out = db.with_name("bench-report.html")
    kept = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="lso-bench-cache-")  # none kept yet
    tick = time.monotonic()
    page.vega_script.cache_clear()
    bundle = page.vega_script()
    seconds = {"bundle, made (first build on a machine)": time.monotonic() - tick}
    page.vega_script.cache_clear()
    tick = time.monotonic()
    page.vega_script()
    seconds["bundle, read from the cache"] = time.monotonic() - tick
    if kept is None:
        del os.environ["XDG_CACHE_HOME"]
    else:
        os.environ["XDG_CACHE_HOME"] = kept
    builds, queries, renders = [], [], []
    for _ in range(repeat):
        tick = time.monotonic()
        written = build_report(db, out)
        builds.append(time.monotonic() - tick)
        tick = time.monotonic()
        with open_read_only(db) as con:
            figures = data.collect(con)
        queries.append(time.monotonic() - tick)
        tick = time.monotonic()
        page.render(figures, db.name)
        renders.append(time.monotonic() - tick)
    seconds["build, median"] = statistics.median(builds)
    seconds["  of which queries"] = statistics.median(queries)
    seconds["  of which charts + HTML"] = statistics.median(renders)
    seconds["page MB"] = written.bytes / 1e6
    seconds["  of which the Vega bundle MB"] = len(bundle.encode()) / 1e6
    seconds["  of which figures MB"] = (written.bytes - len(bundle.encode())) / 1e6
    seconds["chart specs"] = len(charts.specs())
    seconds["load average (1 min) at the end, 2 cores"] = os.getloadavg()[0]
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="measure this warehouse instead of generating")
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    db = options.db
    if db is None:
        db = Path(tempfile.mkdtemp(prefix="lso-bench-report-")) / "lso.duckdb"
        print(f"generated {options.articles:,} articles in {generate(db, options.articles):.1f} s")
    with open_read_only(db) as con:
        (count,) = con.execute("select count(*) from articles").fetchone() or (0,)
    results = measure(db, options.repeat)
    print(f"\n| {db.name}: {count:,} articles | value |\n|---|---|")
    for name, value in results.items():
        print(f"| {name} | {value:.2f} |")
    made = results["bundle, made (first build on a machine)"]
    print(f"\nfirst build on a machine (bundle made) ≈ {made + results['build, median']:.2f} s")


if __name__ == "__main__":
    main()
