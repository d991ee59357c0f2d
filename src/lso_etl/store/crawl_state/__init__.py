"""What the crawl remembers between runs, kept in the warehouse.

`frontier` (one row per candidate article, and the discovery cache), `listing_spans` (where
dates lie in the listings), `robots_txt` (robots.txt copies), `archive_index` (one row per
archived response: the conditional-GET validators a crawl sends), `archive_identity` (which WARC
files belong to this warehouse) and `archive_known` (what an archive run is told of the
articles already stored).

May import what `store` may.
"""
