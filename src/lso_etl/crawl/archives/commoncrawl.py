"""Common Crawl through its public index server and data host.

`collinfo.json` lists the crawls; only those that can hold the range are asked (a capture
never precedes publication, so a crawl that ended before the range starts cannot; later
than `LATE` after the range end, a crawl holds late captures only, not worth a full
index query each), plus the last crawl before the range: what it holds was published
before the range, which bounds the range's ids from below (`candidates`). Each crawl's CDX answers one JSON object per line; a capture is one gzip
member of a WARC file, fetched with a Range request and read with warcio.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta

from warcio.archiveiterator import ArchiveIterator

from lso_etl.crawl.archives.candidates import Candidate, Row, range_utc, select
from lso_etl.crawl.archives.client import ArchiveClient, ArchiveUnavailable, DamagedCapture
from lso_etl.crawl.archives.provenance import shown
from lso_etl.crawl.transfer import Exchange
from lso_etl.models import Capture
from lso_etl.site.urls import CANONICAL_HOST

LATE = timedelta(days=62)  # crawls starting up to two months after the range still count


def crawls(client: ArchiveClient, index: str, start: date, end: date) -> list[dict[str, str]]:
    """The crawls of collinfo.json whose time span can hold captures of the range."""
    answer = client.get(f"{index}/collinfo.json", "cdx")
    if answer.status != 200:
        raise ArchiveUnavailable(f"{index}/collinfo.json: HTTP {answer.status}")
    first, last = range_utc(start, end)
    chosen, before = [], []
    try:
        for crawl in json.loads(answer.content):
            if not isinstance(crawl.get("cdx-api"), str):
                raise ValueError(f"crawl {crawl.get('id')!r} has no cdx-api")
            began, ended = _when(crawl.get("from")), _when(crawl.get("to"))
            if ended is not None and ended < first:
                before.append((ended, crawl))
            elif began is None or began <= last + LATE:
                chosen.append(crawl)
    except (ValueError, AttributeError, TypeError) as exc:  # HTML, cut short, not a list
        raise ArchiveUnavailable(f"{index}/collinfo.json: not a list of crawls ({exc})") from None
    anchor = [max(before, key=lambda pair: pair[0])[1]] if before else []
    return anchor + chosen


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def index_rows(client: ArchiveClient, crawl: Mapping[str, str], data: str) -> list[Row]:
    """Every capture of the site one crawl's index holds (one JSON object per line)."""
    api = crawl["cdx-api"]
    answer = client.get(api, "cdx", params={"url": f"{CANONICAL_HOST}/*", "output": "json"})
    if answer.status == 404:  # the index server's "no captures" answer
        return []
    if answer.status != 200:
        raise ArchiveUnavailable(f"{api}: HTTP {answer.status}")
    try:
        return _index_lines(answer.content, data)
    except (ValueError, LookupError, TypeError) as exc:  # HTML, a line cut short, a field missing
        raise ArchiveUnavailable(f"{api}: not a CDX answer ({exc})") from None


def _index_lines(content: bytes, data: str) -> list[Row]:
    rows = []
    for line in content.decode("utf-8", "replace").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        when = datetime.strptime(item["timestamp"], "%Y%m%d%H%M%S").replace(tzinfo=UTC)
        capture = Capture("commoncrawl", f"{data}/{item['filename']}", when, shown(item["url"]),
                          int(item["offset"]), int(item["length"]))  # fmt: skip
        status = int(item["status"]) if str(item.get("status", "")).isdigit() else 0
        rows.append(Row(capture, status, item.get("mime", ""), item.get("digest", "")))
    return rows


def find(
    client: ArchiveClient,
    index: str,
    data: str,
    start: date,
    end: date,
    known: Mapping[str, date],
    latest: bool = False,
) -> list[Candidate]:
    rows = [row for crawl in crawls(client, index, start, end)
            for row in index_rows(client, crawl, data)]  # fmt: skip
    return select(rows, start, end, known, latest)


def fetch_record(client: ArchiveClient, capture: Capture) -> Exchange:
    """The WARC response record of a capture, as an Exchange whose headers are the archived
    ones (`X-Archive-Orig-*`, as the Wayback Machine names them)."""
    assert capture.offset is not None and capture.length is not None
    span = f"bytes={capture.offset}-{capture.offset + capture.length - 1}"
    answer = client.get(capture.url, "data", headers={"Range": span})
    if answer.status not in (200, 206):
        return answer
    try:
        record = next(iter(ArchiveIterator(io.BytesIO(answer.content))))
        http = record.http_headers
        content = record.content_stream().read()
        status = int(http.get_statuscode())
        target = shown(record.rec_headers.get_header("WARC-Target-URI") or "")
        when = (record.rec_headers.get_header("WARC-Date") or "")[:19]  # WARC/1.1: fractions
    except Exception as exc:  # warcio and zlib raise many kinds for damaged bytes
        raise DamagedCapture(f"{capture.url} {span}: unreadable WARC record ({exc})") from None
    # A server that ignores Range (200, the whole file) or serves the wrong bytes hands back
    # another capture's record: stored, it would be one article's text under another's URL.
    wanted = f"{capture.time:%Y-%m-%dT%H:%M:%S}"
    if (target, when) != (capture.original, wanted):
        # 206 and the wrong record: the index is wrong. 200: the host ignored Range, a fault of
        # the host (a mirror's plain file server) that a later run may not meet.
        error = DamagedCapture if answer.status == 206 else ArchiveUnavailable
        raise error(
            f"{capture.url} {span}: HTTP {answer.status} held the capture of {target} at {when},"
            f" not of {capture.original} at {wanted}"
        )
    headers = tuple((f"X-Archive-Orig-{k}", v) for k, v in http.headers)
    return Exchange(capture.url, answer.request_headers, status, "", headers, content,
                    answer.started_at, answer.elapsed)  # fmt: skip
