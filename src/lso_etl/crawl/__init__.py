"""Finding and fetching pages: discovery walkers, the polite HTTP client, the WARC archive.

Discovery (`discover`, `listings`) reads sitemaps, feeds and listings; `fetch` and `transfer`
make every request (robots.txt, pacing, retries, size and time caps), paced by `clock` (the
machine's, or a virtual one for tests and benchmarks); `robots` keeps robots.txt for 24 hours;
`archive` writes each response to the run's WARC file and reads it back.

May import: `site`, `models`, `settings`, `errors`, and third-party clients (httpx, protego,
warcio). Must never import `store`, `extract`, `pipeline`, `cli`, `replay` or Prefect: what
the warehouse knows (validators, cached documents, listing spans, robots.txt copies) is
passed in by the pipeline.
"""
