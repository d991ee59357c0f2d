"""The warehouse as analysts meet it: the sandboxed read-only connection (`readonly`), search
(`search`, `textnorm`), `stats`, the data `dictionary`, and exports (`export`,
`export_target`).

May import: the rest of `store`, `site`, `models`, `settings`, `errors`, duckdb. Like all of
`store`, it never imports `crawl`, `extract`, `pipeline` or Prefect.
"""
