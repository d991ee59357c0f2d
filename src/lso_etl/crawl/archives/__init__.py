"""Web archives as sources (issue 15): the Wayback Machine and Common Crawl, read politely.

`candidates` decides which captures a publish-date range needs (pure); `wayback` and
`commoncrawl` speak each archive's public API; `client` makes every request through `pacing`
(each host its own pace, 429s honoured, the archive's robots.txt obeyed); `fetcher` is the
run's Fetcher that reads an article from its capture, or from the site.

Same rules as the rest of `crawl`: never imports store, extract or pipeline.
"""
