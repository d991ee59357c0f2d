"""Where articles are listed: discovery endpoints and listing selectors, as data.

What the live site offers is partly unknown (site-notes: sitemaps and listings [?]), so
every endpoint and selector here is a one-line edit, and `lso-etl probe` shows what matched.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DiscoveryProfile:
    # Used when robots.txt names no sitemap.
    sitemap_paths: tuple[str, ...] = ("/sitemap.xml",)
    # Section listing pages, walked newest first: "{slug}" then "?page=N".
    sections: tuple[str, ...] = (
        "thoi-su",
        "chinh-tri",
        "kinh-te",
        "xa-hoi",
        "van-hoa",
        "quoc-phong-an-ninh",
        "the-thao",
    )
    listing_url: str = "/{section}?page={page}"
    listing_item: str = "article.story"  # one listed article
    listing_link: str = "a[href]"  # inside the item
    listing_time: str = "time[datetime]"  # inside the item, ISO 8601 in `datetime`
    max_listing_pages: int = 500  # a runaway pagination guard
    # Listings are not strictly ordered at day boundaries: read this many days past the start.
    listing_overlap_days: int = 1


DISCOVERY = DiscoveryProfile()
