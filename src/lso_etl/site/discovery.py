"""Where articles are listed: discovery endpoints and listing selectors, as data.

What the live site offers is partly unknown (site-notes: sitemaps and listings [?]), so
every endpoint and selector here is a one-line edit, and `lso-etl probe` shows what matched.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DiscoveryProfile:
    # Strategies, tried in order and merged on the article id (`lso_etl.crawl.discovery.discover.WALKERS`).
    # A trailing "?" runs a strategy only when the ones before it found nothing: walking years
    # of listing pages at one request a second takes hours, a sitemap takes minutes.
    backfill_strategies: tuple[str, ...] = ("sitemap", "listing?")
    daily_strategies: tuple[str, ...] = ("sitemap", "rss", "home", "listing")
    # Used when robots.txt names no sitemap (when it names one, that one is used).
    sitemap_paths: tuple[str, ...] = ("/sitemap.xml",)
    # [?] "/rss/home.rss" is a guess seen in one public script (site-notes.md).
    feed_paths: tuple[str, ...] = ("/rss/home.rss",)
    home_paths: tuple[str, ...] = ("/",)
    # [I] the sister paper's JSON listing; Lạng Sơn's category ids are unknown, so none are
    # walked until someone fills them in (`lso-etl probe` on a section page shows them).
    json_listing_url: str = "/list-post-by-category?page={page}&limit=12&category_id={category}"
    json_categories: tuple[int, ...] = ()
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
    # Listings are not strictly ordered at day boundaries: read this many days past the start.
    listing_overlap_days: int = 1
    # Text of the bot-challenge pages CDNs serve with a 200 in a page's place ("Just a
    # moment..."): a document or article answered so is unread (retried), never empty or
    # broken. Matched case-insensitively near the top of the body.
    # (How many pages a walk may read is a setting: LSO_MAX_LISTING_PAGES.)
    challenge_markers: tuple[str, ...] = (
        "<title>Just a moment",
        "_cf_chl_opt",  # the challenge page's own script options
        "<title>Attention Required! | Cloudflare",
        "<title>DDoS-Guard",
    )  # not "cf-chl-" nor "/cdn-cgi/challenge-platform/": Cloudflare puts its bot-detection
    # script (…/challenge-platform/scripts/jsd/main.js) into ordinary pages too


DISCOVERY = DiscoveryProfile()
