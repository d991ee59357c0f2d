"""Pure extraction: the bytes of one page in, a clean `Article` (or the reason why not) out.

`parse.parse_page` is the entry point: `prescan` the bytes for markup too costly to build,
`decode` them, `detect` the layout, read the
`fields` and `metadata` by the site profile's rules, assemble the `body` from `blocks`, and
`clean` the Vietnamese text (`bylines`, `dates`).

May import: `site`, `models`, `errors`, the standard library, the HTML parser
(selectolax) and, only when a page falls back, trafilatura (`fallback_body`: given markup,
never a URL). Must never import the network (httpx), the database (duckdb), Prefect, or any
other stage: the same call runs on a live page, an archived one and a golden fixture.
"""
