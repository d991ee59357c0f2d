"""Which page answers which path: a pure map from a request path to a response (no sockets here)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import parse_qs, urlsplit

from lso_etl.replay import feeds, render
from lso_etl.replay.model import CorpusView

HTML = "text/html; charset=UTF-8"
XML = "application/xml; charset=UTF-8"
RSS = "application/rss+xml; charset=UTF-8"
TEXT = "text/plain; charset=UTF-8"
JSON = "application/json; charset=UTF-8"
# The sister paper's section ids (site-notes.md); the replay numbers its sections from 57 alike.
FIRST_CATEGORY_ID = 57
MONTH_SITEMAP = re.compile(r"^/sitemaps/(?P<month>\d{4}-\d{2})\.xml$")
# Dedicated paths for tests of discovery limits (nothing on the normal site links to them):
# /sitemap.xml?n=K is link K of an endless chain of indexes; /sitemaps/spec-N.xml is a urlset
# of N URLs (at most 50,000, about 6 MB), dated on the corpus's first day.
SPEC_SITEMAP = re.compile(r"^/sitemaps/spec-(?P<count>\d{1,5})\.xml$")


# What a site offers for discovery, besides its home page and RSS feed (which list only the
# newest): everything, a sitemap index by month, paginated HTML listings, or the JSON listing.
SURFACES = ("all", "sitemaps", "listings", "json")


@dataclass(frozen=True)
class SiteConfig:
    corpus: CorpusView
    base_url: str
    crawl_delay: float = 0.01
    pad_kb: int = 0
    extra_disallow: tuple[str, ...] = ()
    surface: str = "all"

    def offers(self, kind: str) -> bool:
        return self.surface in ("all", kind)


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    body: bytes
    last_modified: datetime | None = None

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:20] + '"'


def route(site: SiteConfig, target: str, today: date) -> Response:
    """The response to GET `target` (path plus query); unknown paths get the soft-404 page."""
    parts = urlsplit(target)
    path, corpus = parts.path, site.corpus
    newest = corpus.articles[-1].published_at
    article = corpus.by_path.get(path)
    if article is not None:
        page = render.render_article(article, corpus, today=today, pad_kb=site.pad_kb)
        return Response(200, HTML, page.encode(), article.published_at)
    if path == "/":
        return Response(200, HTML, render.render_home(corpus, today=today).encode(), newest)
    if path == "/robots.txt":
        sitemap = site.base_url if site.offers("sitemaps") else None
        text = feeds.render_robots(sitemap, site.crawl_delay, site.extra_disallow)
        return Response(200, TEXT, text.encode(), newest)
    if path == "/rss/home.rss":
        return Response(200, RSS, feeds.render_rss(corpus).encode(), newest)
    found = _discovery(site, path, parts.query, today)
    if found is not None:
        return found
    return Response(404, HTML, render.render_not_found(corpus, today=today).encode())


def _discovery(site: SiteConfig, path: str, query: str, today: date) -> Response | None:
    """A sitemap, JSON or HTML listing page, if the site's surface offers it; else None."""
    if path == "/list-post-by-category":
        return _json_listing(site, query) if site.offers("json") else None
    if not site.offers("sitemaps"):
        return _listing(site, path, query, today) if site.offers("listings") else None
    if path == "/sitemap.xml":
        return _sitemap_index(site, query)
    spec = SPEC_SITEMAP.match(path)
    if spec:
        body = feeds.render_spec_sitemap(int(spec["count"]), site.corpus.first_day)
        return Response(200, XML, body.encode())
    month = MONTH_SITEMAP.match(path)
    in_month = site.corpus.by_month.get(month["month"]) if month else None
    if month and in_month:
        sitemap = feeds.render_month_sitemap(in_month)
        return Response(200, XML, sitemap.encode(), in_month[-1].published_at)
    return _listing(site, path, query, today) if site.offers("listings") else None


def _sitemap_index(site: SiteConfig, query: str) -> Response:
    """The index of the monthly sitemaps; with `?n=K`, link K of the endless chain."""
    link = parse_qs(query).get("n", [""])[0]
    if link.isdigit():
        return Response(200, XML, feeds.render_chain_index(site.base_url, int(link)).encode())
    index = feeds.render_sitemap_index(site.corpus, site.base_url)
    return Response(200, XML, index.encode(), site.corpus.articles[-1].published_at)


def _listing(site: SiteConfig, path: str, query: str, today: date) -> Response | None:
    page_values = parse_qs(query).get("page", ["1"])
    if not page_values[0].isdigit():
        return None
    page = int(page_values[0])
    items = render.listing_items(site.corpus, path.strip("/"), page)
    html = render.render_listing(site.corpus, path.strip("/"), page, today=today)
    if items is None or html is None or path.count("/") != 1:
        return None
    return Response(200, HTML, html.encode(), items[0].published_at if items else None)


def category_ids(corpus: CorpusView) -> dict[str, int]:
    """Section slug -> the id the JSON listing takes as `category_id`."""
    return {s.slug: FIRST_CATEGORY_ID + i for i, s in enumerate(corpus.sections)}


def _json_listing(site: SiteConfig, query: str) -> Response:
    """The CMS's JSON listing: `?page=N&limit=L&category_id=ID`, newest first, `{"data": [...]}`."""
    params = {k: v[0] for k, v in parse_qs(query).items()}
    ids = {v: k for k, v in category_ids(site.corpus).items()}
    try:
        page, limit = int(params.get("page", "1")), int(params.get("limit", "12"))
        slug = ids[int(params.get("category_id", ""))]
    except (KeyError, ValueError):
        return Response(400, JSON, b'{"data": [], "error": "bad parameters"}')
    items = site.corpus.by_section[slug][(page - 1) * limit : page * limit] if page >= 1 else ()
    data = [
        {"link": a.path, "title": a.headline, "published_at": a.published_at.isoformat()}
        for a in items
    ]
    return Response(200, JSON, json.dumps({"data": data}, ensure_ascii=False).encode())
