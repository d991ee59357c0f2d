"""Pure parsers of discovery documents: RSS/Atom feeds, HTML and JSON listings, home page
(sitemaps, which can be 50 MB, are parsed incrementally in `sitemaps`).

Bytes (or text) in, `(url, date)` entries out, nothing fetched. Dates are the site's calendar
dates (Asia/Ho_Chi_Minh): a feed's `pubDate` in GMT can fall on the previous day otherwise.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from selectolax.lexbor import LexborHTMLParser

from lso_etl.models import Entry
from lso_etl.site.discovery import DISCOVERY, DiscoveryProfile
from lso_etl.site.urls import classify

SITE_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ATOM = "{http://www.w3.org/2005/Atom}"
JSON_DATE_KEYS = ("published_at", "publish_date", "date", "created_at", "time")


def parse_feed(xml: bytes) -> list[Entry]:
    """Item links of an RSS 2.0 or Atom feed, with their publish dates."""
    root = ET.fromstring(xml)
    entries: list[Entry] = []
    for item in root.iter("item"):  # RSS 2.0
        link = (_child_text(item, "link") or _child_text(item, "guid") or "").strip()
        if link:
            entries.append((link, _rfc822_date(_child_text(item, "pubDate"))))
    for item in root.iter(f"{ATOM}entry"):
        links = [n for n in item.findall(f"{ATOM}link") if n.get("rel", "alternate") == "alternate"]
        href = (links[0].get("href") or "").strip() if links else ""
        when = _child_text(item, "published") or _child_text(item, "updated")
        if href:
            entries.append((href, iso_date(when)))
    return entries


def parse_listing(html: str, page_url: str, profile: DiscoveryProfile = DISCOVERY) -> list[Entry]:
    """Article links of a listing page with their listed dates, in page order."""
    tree = LexborHTMLParser(html)
    items = []
    for item in tree.css(profile.listing_item):
        link = item.css_first(profile.listing_link)
        if link is None:
            continue
        when = item.css_first(profile.listing_time)
        href = urljoin(page_url, link.attributes.get("href") or "")
        items.append((href, iso_date(when.attributes.get("datetime") if when else None)))
    return items


def parse_home(html: str, page_url: str, profile: DiscoveryProfile = DISCOVERY) -> list[Entry]:
    """The home page's listed stories (dated), then any other article link on it (undated)."""
    dated = parse_listing(html, page_url, profile)
    seen = {url for url, _ in dated}
    undated: list[Entry] = []
    for anchor in LexborHTMLParser(html).css("a[href]"):
        url = urljoin(page_url, anchor.attributes.get("href") or "")
        if url not in seen and classify(url) is not None:
            seen.add(url)
            undated.append((url, None))
    return dated + undated


def parse_json_listing(body: bytes, page_url: str) -> list[Entry]:
    """`{"data": [{"link": "/slug-id.html", ...}]}` (the CMS's list-post-by-category endpoint)."""
    data = json.loads(body)
    items = data.get("data") if isinstance(data, dict) else None
    entries: list[Entry] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        link = item.get("link") or item.get("url")
        if isinstance(link, str) and link.strip():
            when = next((item[k] for k in JSON_DATE_KEYS if isinstance(item.get(k), str)), None)
            entries.append((urljoin(page_url, link.strip()), iso_date(when)))
    return entries


def iso_date(value: str | None) -> date | None:
    """The site-local calendar date of an ISO 8601 date or datetime."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return when.astimezone(SITE_TZ).date() if when.tzinfo else when.date()


def _rfc822_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError):
        return None
    return when.astimezone(SITE_TZ).date() if when.tzinfo else when.date()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child_text(node: ET.Element, name: str) -> str | None:
    for child in node:
        if _local(child.tag) == name:
            return child.text
    return None
