"""A run's steps when its source is a web archive (`pipeline.sources` chooses the source).

`probe` finds where a publish-date range starts and ends among an archive's candidates, `picks`
fetches and parses each candidate's captures in turn until one is the article, `plan` is
`backfill --dry-run` for an archive source, and `home` is the warehouse's own raw archive
(where it lies, which WARC files are its), which every run, archive or not, writes to.

May import what `pipeline` may.
"""
