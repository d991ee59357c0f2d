"""The DuckDB warehouse: connect, migrate and lease the file; load articles and versions;
crawl state (`frontier`, `listing_spans`, `robots_txt`), the archive index, search, data checks, the dictionary, export and
stats for analysts.

May import: `site`, `models`, `settings`, `errors`, duckdb. Must never import `crawl`,
`extract`, `pipeline`, `cli`, `replay` or Prefect: it never fetches and never parses; what it
stores arrives as `models` records.
"""
