"""The DuckDB warehouse: connect, migrate and lease the file; load articles and versions;
what the crawl remembers between runs (`crawl_state/`: frontier, listing spans, robots.txt, the
archive index), run rows, history, data checks, and the analysts' side (`analyst/`: search, the
dictionary, export, stats and the report).

May import: `site`, `models`, `settings`, `errors`, duckdb. Must never import `crawl`,
`extract`, `pipeline`, `cli`, `replay` or Prefect: it never fetches and never parses; what it
stores arrives as `models` records.
"""
