"""Web archives over the replay corpus: a Wayback Machine and a Common Crawl, on loopback.

`captures` is the pure, seeded plan of which captures an archive holds; `wayback` and
`commoncrawl` serve them as the real services document (CDX API, `id_` playback; the index
server and the WARC data host); `loopback` is the small HTTP server each archive runs on.

May import only `replay` and the standard library, like the rest of the replay site.
"""
