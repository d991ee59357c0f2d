"""One run glued together from the stages: open, discover, plan, fetch+parse, load, report.

`run` is a crawl run (and a bare backfill), `steps` its pure and I/O steps, `range_discovery`
a backfill's discovery once for all its chunks, `robots_state` robots.txt between runs,
`reparse` a run from the archive, `report` what a run tells its operator, `sources` which source
a run reads, `archives/` the steps of a run from a web archive, `prefect_server` the only module
here that knows Prefect's server.

May import: every stage (`crawl`, `extract`, `store`), `site`, `models`, `settings`, `errors`.
Must never import `cli` or `replay`, nor Prefect outside `prefect_server`: `flows/` wraps
these calls in Prefect tasks, tests and benchmarks run them bare.
"""
