"""Find candidate articles for a date range: sitemaps (with lastmod) and section listings.

Parsing is pure (bytes in, refs out); the walkers do the fetching through the polite Fetcher.
Candidates are de-duplicated on the generation-qualified article id, never on the URL slug.
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from urllib.parse import urljoin

import httpx
from selectolax.lexbor import LexborHTMLParser

from lso_etl.fetch import Fetcher, OffSiteRedirect, RetryableStatus
from lso_etl.models import ArticleRef
from lso_etl.site.discovery import DISCOVERY, DiscoveryProfile
from lso_etl.site.urls import classify, on_base

log = logging.getLogger(__name__)


class DiscoveryIncomplete(Exception):
    """A sitemap or listing could not be read even after retries: the candidate list has holes.

    Raised rather than logged, so the run (or backfill chunk) fails and is retried later,
    instead of being recorded as complete with articles silently missing.
    """


_MONTH_IN_URL = re.compile(r"(?P<y>20\d\d)-(?P<m>\d\d)")


def parse_sitemap(
    xml: bytes,
) -> tuple[list[tuple[str, date | None]], list[tuple[str, date | None]]]:
    """(child sitemaps, page URLs) of a sitemap index or urlset, each with its lastmod date."""
    root = ET.fromstring(xml)
    children: list[tuple[str, date | None]] = []
    pages: list[tuple[str, date | None]] = []
    for node in root:
        tag = node.tag.rsplit("}", 1)[-1]
        loc = _child_text(node, "loc")
        if not loc:
            continue
        entry = (loc.strip(), _iso_date(_child_text(node, "lastmod")))
        (children if tag == "sitemap" else pages).append(entry)
    return children, pages


def parse_listing(
    html: str, page_url: str, profile: DiscoveryProfile = DISCOVERY
) -> list[tuple[str, date | None]]:
    """Article links of a listing page with their listed dates, in page order."""
    tree = LexborHTMLParser(html)
    items = []
    for item in tree.css(profile.listing_item):
        link = item.css_first(profile.listing_link)
        if link is None:
            continue
        when = item.css_first(profile.listing_time)
        href = urljoin(page_url, link.attributes.get("href") or "")
        items.append((href, _iso_date(when.attributes.get("datetime") if when else None)))
    return items


def month_may_hold(sitemap_url: str, start: date, end: date) -> bool:
    """False only for a sitemap whose name says it covers a month wholly outside the range."""
    match = _MONTH_IN_URL.search(sitemap_url)
    if not match:
        return True
    month = (int(match["y"]), int(match["m"]))
    return (start.year, start.month) <= month <= (end.year, end.month)


def refs_in_range(
    entries: Iterable[tuple[str, date | None]], start: date, end: date, found_by: str, base_url: str
) -> Iterator[ArticleRef]:
    """Article refs among (url, date) entries whose date lies in [start, end] (undated ones kept)."""
    for url, seen in entries:
        identity = classify(url)
        if identity is None or (seen is not None and not start <= seen <= end):
            continue
        yield ArticleRef(on_base(base_url, url), identity.article_id, seen, found_by)


def discover(
    fetcher: Fetcher,
    start: date,
    end: date,
    strategies: tuple[str, ...] = ("sitemap", "listing"),
    profile: DiscoveryProfile = DISCOVERY,
) -> list[ArticleRef]:
    """Candidates in [start, end], oldest first. "listing?" walks listings only if nothing else found any."""
    found: dict[str, ArticleRef] = {}
    failed: list[str] = []
    for strategy in strategies:
        if strategy == "listing?" and found:
            continue
        walker = sitemap_refs if strategy == "sitemap" else listing_refs
        before = len(found)
        for ref in walker(fetcher, start, end, profile, failed):
            found.setdefault(ref.article_id, ref)
        log.info("discovery %s: %d new candidates", strategy.rstrip("?"), len(found) - before)
    if failed:
        raise DiscoveryIncomplete(f"{len(failed)} discovery request(s) failed, first: {failed[0]}")
    return sorted(found.values(), key=lambda r: (r.seen_date or end, r.article_id))


def sitemap_refs(
    fetcher: Fetcher, start: date, end: date, profile: DiscoveryProfile, failed: list[str]
) -> Iterator[ArticleRef]:
    base = fetcher.settings.base_url
    queue = [on_base(base, u) for u in fetcher.sitemaps()] or [
        on_base(base, p) for p in profile.sitemap_paths
    ]
    seen: set[str] = set()
    while queue:
        url = queue.pop(0)
        if url in seen or not fetcher.allowed(url):
            continue
        seen.add(url)
        body = _get_bytes(fetcher, url, failed)
        if body is None:
            continue
        try:
            children, pages = parse_sitemap(body)
        except ET.ParseError as exc:
            log.warning("sitemap %s is not valid XML (%s): skipped", url, exc)
            continue
        queue += [
            on_base(base, loc)
            for loc, lastmod in children
            if month_may_hold(loc, start, end) and (lastmod is None or lastmod >= start)
        ]
        yield from refs_in_range(pages, start, end, "sitemap", base)


def listing_refs(
    fetcher: Fetcher, start: date, end: date, profile: DiscoveryProfile, failed: list[str]
) -> Iterator[ArticleRef]:
    """Walk each section newest first; stop once a whole page is older than the range start."""
    base = fetcher.settings.base_url
    stop_before = start - timedelta(days=profile.listing_overlap_days)
    for section in profile.sections:
        for page in range(1, profile.max_listing_pages + 1):
            url = on_base(base, profile.listing_url.format(section=section, page=page))
            body = _get_bytes(fetcher, url, failed) if fetcher.allowed(url) else None
            items = parse_listing(body.decode("utf-8", "replace"), url, profile) if body else []
            yield from refs_in_range(items, start, end, f"listing:{section}", base)
            dates = [d for _, d in items if d is not None]
            if not items or (dates and max(dates) < stop_before):
                break


def _get_bytes(fetcher: Fetcher, url: str, failed: list[str]) -> bytes | None:
    """The body of a 200 answer; None for a missing page, which is normal (the end of a listing)."""
    try:
        response = fetcher.get(url)
    except (httpx.HTTPError, RetryableStatus, OffSiteRedirect) as exc:
        log.warning("discovery request %s failed: %s", url, exc)
        failed.append(url)
        return None
    if response.status_code != 200:
        log.info("discovery request %s answered %s", url, response.status_code)
        return None
    return response.content


def _child_text(node: ET.Element, name: str) -> str | None:
    for child in node:
        if child.tag.rsplit("}", 1)[-1] == name:
            return child.text
    return None


def _iso_date(value: str | None) -> date | None:
    """The calendar date of an ISO 8601 date or datetime, as written (site-local)."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.strip()).date()
    except ValueError:
        return None
