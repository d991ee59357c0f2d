"""URL rules for baolangson.vn: which URLs are articles, their generation-qualified id, canonical form.

The two CMS generations number articles in separate sequences, so an id alone is ambiguous;
the key always carries the generation ("new:5071654", "old:310783"). Slugs can disagree with
titles, so nothing here ever keys on a slug.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

CANONICAL_HOST = "baolangson.vn"

# One pattern per CMS generation: data, so a changed URL scheme is a one-line edit.
ARTICLE_URL_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    # current CMS: /{slug}-{7 digits}.html, no section in the path
    ("new", re.compile(r"^/(?P<slug>[a-z0-9-]+)-(?P<id>\d{7})\.html$")),
    # older CMS: /{section}/{subsection}/{id}-{slug}.html (the subsection may be a long column slug)
    (
        "old",
        re.compile(r"^/[a-z0-9-]+/(?:[a-z0-9-]+/)?(?P<id>\d{4,6})-(?P<slug>[a-z0-9-]*)\.html$"),
    ),
)


@dataclass(frozen=True)
class ArticleUrl:
    generation: str  # "new" | "old"
    number: int
    path: str

    @property
    def article_id(self) -> str:
        return f"{self.generation}:{self.number}"

    @property
    def canonical(self) -> str:
        return f"https://{CANONICAL_HOST}{self.path}"


def classify(url: str) -> ArticleUrl | None:
    """The article identity of a URL on any host (site, mirror or replay), or None if not an article."""
    path = urlsplit(url).path
    for generation, pattern in ARTICLE_URL_RULES:
        match = pattern.match(path)
        if match:
            return ArticleUrl(generation=generation, number=int(match["id"]), path=path)
    return None


def on_base(base_url: str, url: str) -> str:
    """Re-home a (possibly absolute, possibly real-site) URL onto the configured base URL.

    Sitemaps and canonical links name https://baolangson.vn; when we crawl a mirror or the
    replay site the same path must be fetched from there instead.
    """
    parts = urlsplit(urljoin(base_url.rstrip("/") + "/", url))
    base = base_url.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{base}{parts.path}{query}"
