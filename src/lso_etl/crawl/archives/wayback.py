"""The Wayback Machine through its public API: CDX queries for a range, `id_` playback.

Two CDX passes per range (see `candidates`): the captures taken from a month before the
range to a month after it (what most articles have), then, only for the id window those
and the warehouse give, every later capture (a story captured years afterwards). The id
window is sent as a `filter=original:` regular expression, so the server returns those rows
only, never everything ever captured of the site.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urljoin

from lso_etl.crawl.archives.candidates import (
    NEAR,
    Candidate,
    Row,
    Window,
    id_pattern,
    range_utc,
    select,
    stamp,
    windows,
)
from lso_etl.crawl.archives.client import ArchiveClient, ArchiveUnavailable
from lso_etl.crawl.archives.provenance import same_host, shown
from lso_etl.crawl.transfer import Exchange
from lso_etl.models import Capture
from lso_etl.site.urls import CANONICAL_HOST, classify

FIELDS = "timestamp,original,mimetype,statuscode,digest"
PAGE_ROWS = 5000  # rows per CDX answer; the server may cap it lower and give a resume key
ID_DIGITS = {"new": 7, "old": 6}  # the widest id of each generation (site/urls.py)


def cdx_rows(client: ArchiveClient, base: str, params: Mapping[str, str | list[str]]) -> list[Row]:
    """All rows of one CDX query, page after page (`showResumeKey`/`resumeKey`)."""
    rows: list[Row] = []
    resume: str | None = None
    keys_seen: set[str] = set()  # a server handing back a key it gave before would loop forever
    while True:
        query: dict[str, str | list[str]] = {
            "url": f"{CANONICAL_HOST}/*", "output": "json", "fl": FIELDS,
            "limit": str(PAGE_ROWS), "showResumeKey": "true", **params,
        }  # fmt: skip
        if resume:
            query["resumeKey"] = resume
        url = f"{base}/cdx/search/cdx"
        answer = client.get(url, "cdx", params=query)
        if answer.status != 200:
            raise ArchiveUnavailable(f"{url}: HTTP {answer.status}")
        try:
            page, resume = _page(base, answer.content)
        except (ValueError, LookupError, TypeError) as exc:  # HTML, cut short, odd rows
            raise ArchiveUnavailable(f"{url}: not a CDX answer ({exc})") from None
        rows += page
        if resume in keys_seen:
            raise ArchiveUnavailable(f"{url}: answered resume key {resume!r} a second time")
        if not resume:
            return rows
        keys_seen.add(resume)


def _page(base: str, content: bytes) -> tuple[list[Row], str | None]:
    """One CDX answer's rows and its resume key (None: the last page)."""
    table = json.loads(content) if content.strip() else []
    resume = None
    if len(table) >= 2 and table[-2] == []:  # an empty row, then [resume key]
        resume = str(table[-1][0])
        table = table[:-2]
    names = table[0] if table else []
    return [_row(base, dict(zip(names, values, strict=True))) for values in table[1:]], resume


def _row(base: str, fields: dict[str, str]) -> Row:
    when = datetime.strptime(fields["timestamp"], "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    original = shown(fields["original"])  # the archive finds it by its key, credentials or not
    capture = Capture("wayback", f"{base}/web/{fields['timestamp']}id_/{original}", when, original)
    status = int(fields["statuscode"]) if fields["statuscode"].isdigit() else 0
    return Row(capture, status, fields["mimetype"], fields["digest"])


def id_filter(limits: Mapping[str, Window]) -> str:
    """`filter=original:` matching the article URLs whose ids lie in the windows."""
    branches = []
    for generation, window in sorted(limits.items()):
        low = (window.lo or 0) + 1
        high = (window.hi - 1) if window.hi is not None else 10 ** ID_DIGITS[generation] - 1
        ids = id_pattern(low, high)
        branches.append(rf"-{ids}\.html" if generation == "new" else rf"/{ids}-[a-z0-9-]*\.html")
    return "original:.*(?:" + "|".join(branches) + r")(?:\?.*)?"


def find(
    client: ArchiveClient,
    base: str,
    start: date,
    end: date,
    known: Mapping[str, date],
    latest: bool = False,
) -> list[Candidate]:
    """The range's candidates the Wayback Machine holds (`known`: stored id -> date)."""
    first, last = range_utc(start, end)
    filters = ["statuscode:200", "mimetype:text/html"]
    stored = {g: w for g, w in windows([], start, end, known).items() if w.lo and w.hi}
    near_filters = filters + ([id_filter(stored)] if len(stored) == 2 else [])
    near = cdx_rows(client, base, {"from": stamp(first - NEAR), "to": stamp(last + NEAR),
                                   "filter": near_filters})  # fmt: skip
    limits = windows(near, start, end, known)
    later = []
    if limits:
        later = cdx_rows(client, base, {"from": stamp(last + NEAR + timedelta(seconds=1)),
                                        "filter": [*filters, id_filter(limits)]})  # fmt: skip
    return select(near + later, start, end, known, latest)


def fetch_capture(client: ArchiveClient, capture: Capture, article_id: str) -> Exchange | None:
    """The archived response of a capture, following the archive's own redirects to the nearest
    capture of the same article; None when the capture is an archived redirect elsewhere.
    A redirect off the archive's host (or to another scheme than http/https) is not followed:
    the archive's answers only come from the archive (ArchiveUnavailable, one line)."""
    url = capture.url
    for _ in range(3):
        answer = client.get(url, "playback")
        location = answer.header("location")
        if answer.status not in (301, 302, 307) or not location:
            return answer
        nearer = urljoin(url, location)
        if not same_host(url, nearer):
            raise ArchiveUnavailable(
                f"{shown(url)}: redirected off the archive, to {shown(nearer)}: not followed"
            )
        url = nearer
        original = url.split("id_/", 1)[-1]
        target = classify(original)
        if target is None or target.article_id != article_id:
            return None  # the page had moved (or died) when it was captured
    return None


__all__ = ["cdx_rows", "fetch_capture", "find", "id_filter", "range_utc"]
