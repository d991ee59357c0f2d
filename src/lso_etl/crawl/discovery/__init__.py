"""Finding candidate articles: the walkers over sitemaps, feeds and listings (`discover`), the
reader of discovery documents that records every failure (`reader`), the sitemap parser
(`sitemaps`), the listing parsers (`listings`), the search by date through a pagination
(`paging`) and what listing pages' date spans tell a later search (`spans`).

May import: the rest of `crawl` (the polite fetcher), `site`, `models`, `settings`, `errors`.
Like all of `crawl`, it never imports `store`, `extract`, `pipeline` or Prefect.
"""
