"""Find candidate articles for a date range, with the strategies the site profile names.

Walkers fetch discovery documents through the polite Fetcher, conditionally: a document read
before is re-requested with its validators, and a 304 answer is served from what it listed
last time, with no parsing. Candidates are de-duplicated on the generation-qualified
article id, never on the URL slug.

Discovery is finished only when it is complete: a document that fails (`reader`) or a budget
reached (sitemaps per run, index depth, listing pages: `Settings`) raises DiscoveryIncomplete
at the end of the pass, so the range is not recorded as finished and a rerun reads it again.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial

from lso_etl.crawl.discovery.listings import (
    parse_feed,
    parse_home,
    parse_json_listing,
    parse_listing,
)
from lso_etl.crawl.discovery.paging import BudgetSpent, Pages, walk_range
from lso_etl.crawl.discovery.reader import DiscoveryIncomplete, Parse, Reader
from lso_etl.crawl.discovery.sitemaps import parse_sitemap
from lso_etl.crawl.fetch import Fetcher
from lso_etl.models import ArticleRef, Document, Entry, ListingSpan
from lso_etl.site.discovery import DISCOVERY, DiscoveryProfile
from lso_etl.site.urls import classify, on_base

__all__ = [
    "DiscoveryIncomplete", "Document", "ListingSpan", "discover", "parse_listing", "parse_sitemap",
    "split_by_window",
]  # fmt: skip

log = logging.getLogger(__name__)

_MONTH_IN_URL = re.compile(r"(?P<y>20\d\d)-(?P<m>\d\d)")


@dataclass(frozen=True)
class Discovery:
    refs: list[ArticleRef]  # oldest first
    documents: list[Document]  # read fresh this pass: the cache for the next one
    not_modified: int
    spans: Sequence[
        ListingSpan
    ] = ()  # listing pages' date spans read this pass: the next one's hints


Walker = Callable[[Reader, date, date, DiscoveryProfile], Iterator[ArticleRef]]


def discover(
    fetcher: Fetcher,
    start: date,
    end: date,
    strategies: tuple[str, ...] = DISCOVERY.backfill_strategies,
    profile: DiscoveryProfile = DISCOVERY,
) -> list[ArticleRef]:
    """Candidates in [start, end], oldest first (no cache: every document is read in full)."""
    return discover_with_cache(fetcher, start, end, strategies, {}, profile).refs


def discover_with_cache(
    fetcher: Fetcher,
    start: date,
    end: date,
    strategies: tuple[str, ...],
    cache: Mapping[str, Document],
    profile: DiscoveryProfile = DISCOVERY,
    failed_before: Mapping[str, str] | None = None,
    spans: Iterable[ListingSpan] = (),
) -> Discovery:
    """Candidates in [start, end]; `name?` runs a strategy only if nothing was found before it.
    `failed_before`: documents that failed earlier in this backfill, not asked again. `spans`:
    listing pages' date spans an earlier pass read, where the listing walks start looking."""
    fetcher.check_reachable()  # robots.txt first: unreadable, nothing could be found (RFC 9309)
    hints: dict[str, list[ListingSpan]] = {}
    for span in spans:
        hints.setdefault(span.listing, []).append(span)
    reader = Reader(fetcher, cache, profile, failed_before=failed_before or {}, hints=hints)
    found: dict[str, ArticleRef] = {}
    for strategy in strategies:
        name = strategy.rstrip("?")
        if name not in WALKERS:
            raise ValueError(f"unknown discovery strategy {name!r}; known: {', '.join(WALKERS)}")
        if strategy.endswith("?") and found:
            continue
        before = len(found)
        for ref in WALKERS[name](reader, start, end, profile):
            found.setdefault(ref.article_id, ref)
        log.info("discovery %s: %d new candidates", name, len(found) - before)
    reader.raise_if_incomplete()
    refs = sorted(found.values(), key=lambda r: (r.seen_date or end, r.article_id))
    return Discovery(refs, list(reader.fresh.values()), reader.not_modified, reader.spans)


def split_by_window(
    refs: Iterable[ArticleRef], windows: Sequence[tuple[date, date]]
) -> dict[tuple[date, date], list[ArticleRef]]:
    """A whole range's candidates, discovered once, cut into the backfill's chunk windows by
    their listed date (windows ascending and disjoint). A ref dated outside every window is
    dropped; an undated one goes to the last window, as a chunk's own discovery keeps it."""
    ordered = sorted(windows)
    cut: dict[tuple[date, date], list[ArticleRef]] = {window: [] for window in ordered}
    starts = [first for first, _ in ordered]
    for ref in refs:
        if ref.seen_date is None:
            cut[ordered[-1]].append(ref)
            continue
        at = bisect_right(starts, ref.seen_date) - 1
        if at >= 0 and ref.seen_date <= ordered[at][1]:
            cut[ordered[at]].append(ref)
    return cut


def month_may_hold(sitemap_url: str, start: date, end: date) -> bool:
    """False only for a sitemap whose name says it covers a month wholly outside the range."""
    match = _MONTH_IN_URL.search(sitemap_url)
    if not match:
        return True
    month = (int(match["y"]), int(match["m"]))
    return (start.year, start.month) <= month <= (end.year, end.month)


def refs_in_range(
    entries: Iterable[Entry], start: date, end: date, found_by: str, base_url: str
) -> Iterator[ArticleRef]:
    """Article refs among (url, date) entries whose date lies in [start, end] (undated ones kept)."""
    for url, seen in entries:
        identity = classify(url)
        if identity is None or (seen is not None and not start <= seen <= end):
            continue
        yield ArticleRef(on_base(base_url, url), identity.article_id, seen, found_by)


def sitemap_refs(
    reader: Reader, start: date, end: date, profile: DiscoveryProfile
) -> Iterator[ArticleRef]:
    """The sitemaps robots.txt names (else the profile's), then child sitemaps that may hold the
    range, breadth first, within the budgets: documents per run and index depth."""
    settings = reader.fetcher.settings
    base = settings.base_url
    named = [on_base(base, u) for u in reader.fetcher.sitemaps()]
    tops = named or [on_base(base, p) for p in profile.sitemap_paths]
    queue = deque((url, 0) for url in tops)  # (url, index levels below a top-level sitemap)
    seen: set[str] = set()
    while queue:
        url, depth = queue.popleft()
        if url in seen:
            continue
        if len(seen) >= settings.max_sitemaps:
            reader.budget_hit(
                f"sitemap budget reached: {len(seen)} sitemaps read, {url} and"
                f" {len(queue)} more not read; raise LSO_MAX_SITEMAPS (now {settings.max_sitemaps})"
            )
            return
        seen.add(url)
        # A top-level sitemap of the profile's guesses may be absent (the fallbacks then run);
        # one robots.txt names, and a child an index names, must be there: a 404 from them is
        # a site not working (maintenance, a WAF), and a range read as empty is lost for good.
        absent_ok = depth == 0 and url not in named
        doc = reader.read(url, lambda body, _url: parse_sitemap(body), absent_ok=absent_ok)
        if doc is None:
            continue
        children = [
            on_base(base, loc)
            for loc, lastmod in doc.children
            if month_may_hold(loc, start, end) and (lastmod is None or lastmod >= start)
        ]
        if children and depth >= settings.max_sitemap_depth:
            reader.budget_hit(
                f"sitemap depth budget reached: {url} is an index {depth} levels down naming"
                f" {len(children)} sitemap(s) not read; raise LSO_MAX_SITEMAP_DEPTH"
                f" (now {settings.max_sitemap_depth})"
            )
            children = []
        queue.extend((child, depth + 1) for child in children)
        yield from refs_in_range(doc.pages, start, end, "sitemap", base)


def feed_refs(
    reader: Reader, start: date, end: date, profile: DiscoveryProfile
) -> Iterator[ArticleRef]:
    """RSS/Atom feeds: only the newest items, so useful for the daily run, not for backfills."""
    base = reader.fetcher.settings.base_url
    for path in profile.feed_paths:
        doc = reader.read(on_base(base, path), lambda body, _url: ([], parse_feed(body)))
        if doc is not None:
            yield from refs_in_range(doc.pages, start, end, "rss", base)


def home_refs(
    reader: Reader, start: date, end: date, profile: DiscoveryProfile
) -> Iterator[ArticleRef]:
    base = reader.fetcher.settings.base_url

    def parse(body: bytes, url: str) -> tuple[list[Entry], list[Entry]]:
        return [], parse_home(body.decode("utf-8", "replace"), url, profile)

    for path in profile.home_paths:
        doc = reader.read(on_base(base, path), parse)
        if doc is not None:
            yield from refs_in_range(doc.pages, start, end, "home", base)


def listing_refs(
    reader: Reader, start: date, end: date, profile: DiscoveryProfile
) -> Iterator[ArticleRef]:
    """Each section's pages that cover the range, found by interpolation search (`paging`)."""

    def parse(body: bytes, url: str) -> tuple[list[Entry], list[Entry]]:
        return [], parse_listing(body.decode("utf-8", "replace"), url, profile)

    for section in profile.sections:
        url_of = partial(profile.listing_url.format, section=section)
        yield from _walk(reader, url_of, parse, start, end, f"listing:{section}", profile)


def json_listing_refs(
    reader: Reader, start: date, end: date, profile: DiscoveryProfile
) -> Iterator[ArticleRef]:
    """The CMS's JSON listing per category id, walked like the HTML listings."""

    def parse(body: bytes, url: str) -> tuple[list[Entry], list[Entry]]:
        return [], parse_json_listing(body, url)

    for category in profile.json_categories:
        url_of = partial(profile.json_listing_url.format, category=category)
        yield from _walk(reader, url_of, parse, start, end, f"json:{category}", profile)


def _walk(
    reader: Reader,
    url_of: Callable[..., str],
    parse: Parse,
    start: date,
    end: date,
    found_by: str,
    profile: DiscoveryProfile,
) -> Iterator[ArticleRef]:
    """The refs on the pages covering the range; a walk stopped by the page budget before it
    passed the range start is reported, so the pass fails rather than cut silently."""
    settings = reader.fetcher.settings
    pages = Pages(reader, lambda n: url_of(page=n), parse, settings.max_listing_pages)
    hints = reader.hints.get(found_by, ())
    try:
        for items in walk_range(pages, start, end, profile.listing_overlap_days, hints):
            yield from refs_in_range(items, start, end, found_by, settings.base_url)
    except BudgetSpent:
        if len(pages.read) >= pages.budget:  # else a page failed: the Reader has recorded it
            reader.budget_hit(
                f"listing budget reached: {found_by} still lists the range after"
                f" {len(pages.read)} pages read; raise LSO_MAX_LISTING_PAGES"
                f" (now {settings.max_listing_pages})"
            )
    finally:
        reader.spans += pages.spans(found_by)


WALKERS: dict[str, Walker] = {
    "sitemap": sitemap_refs,
    "rss": feed_refs,
    "home": home_refs,
    "listing": listing_refs,
    "json-listing": json_listing_refs,
}
