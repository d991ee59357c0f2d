"""A Common Crawl over the replay corpus: the index server and the data host, as documented.

- index host `GET /collinfo.json`: the crawls, newest first, each with its `cdx-api` URL and
  its time span (`from`, `to`); `GET /{crawl}-index?url=baolangson.vn/*&output=json`: one
  JSON object per line (urlkey, timestamp, url, mime, status, digest, length, offset,
  filename); a crawl without captures answers 404, as the real server does.
- data host `GET /{filename}` with `Range: bytes=a-b`: 206 with those bytes of the WARC
  file, where each record is its own gzip member.
WARC files are written here with the standard library (replay imports nothing else), so the
client's warcio reads bytes it did not write.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from lso_etl.replay.archives.captures import Capture, commoncrawl_plan, crawl_id, crawl_start
from lso_etl.replay.archives.loopback import Answer, LoopbackHost
from lso_etl.replay.archives.wayback import page_for, urlkey
from lso_etl.replay.model import CorpusView

CRAWL_DAYS = 12  # a crawl runs about two weeks from the 1st of its month
RANGE = re.compile(r"bytes=(\d+)-(\d+)")


@dataclass(frozen=True)
class Crawl:
    id: str
    start: datetime
    captures: tuple[Capture, ...]

    @property
    def filename(self) -> str:
        return f"crawl-data/{self.id}/segments/1/warc/{self.id}-00000.warc.gz"


@dataclass
class CommonCrawlRoutes:
    corpus: CorpusView
    captures: tuple[Capture, ...]
    index_base: str = ""
    _files: dict[str, tuple[bytes, dict[str, tuple[int, int]]]] = field(default_factory=dict)

    def crawls(self) -> list[Crawl]:
        """One crawl a month from the corpus's first month to a year after its last."""
        first = crawl_start(datetime.combine(self.corpus.first_day, datetime.min.time(), UTC))
        last = crawl_start(datetime.combine(self.corpus.last_day, datetime.min.time(), UTC))
        crawls, start = [], first - timedelta(days=31)
        start = crawl_start(start)
        while start <= last + timedelta(days=366):
            held = tuple(
                c for c in self.captures if crawl_start(c.when - timedelta(days=20)) == start
            )
            crawls.append(Crawl(crawl_id(start), start, held))
            start = crawl_start(start)
        return crawls

    def index(self, target: str, headers: dict[str, str]) -> Answer:
        parts = urlsplit(target)
        if parts.path == "/collinfo.json":
            listing = [
                {"id": c.id, "name": f"{c.start:%B %Y} Index", "timegate": f"{self.index_base}/{c.id}/",
                 "cdx-api": f"{self.index_base}/{c.id}-index",
                 "from": c.start.isoformat(), "to": (c.start + timedelta(days=CRAWL_DAYS)).isoformat()}
                for c in reversed(self.crawls())
            ]  # fmt: skip
            return Answer(200, {"Content-Type": "application/json"}, json.dumps(listing).encode())
        crawl = next((c for c in self.crawls() if parts.path == f"/{c.id}-index"), None)
        if crawl is None:
            return Answer(404, {"Content-Type": "text/plain"}, b"no such index")
        wanted = urlkey("http://" + parse_qs(parts.query).get("url", [""])[0].rstrip("*"))
        _, spans = self._file(crawl)
        lines = []
        for capture in sorted(crawl.captures, key=lambda c: (urlkey(c.original), c.timestamp)):
            if not urlkey(capture.original).startswith(wanted):
                continue
            offset, length = spans[capture.timestamp + capture.original]
            lines.append(json.dumps({
                "urlkey": urlkey(capture.original), "timestamp": capture.timestamp,
                "url": capture.original, "mime": "text/html", "mime-detected": "text/html",
                "status": "200", "digest": _digest(capture), "length": str(length),
                "offset": str(offset), "filename": crawl.filename,
            }))  # fmt: skip
        if not lines:
            body = json.dumps({"message": f"No Captures found for: {wanted}"}).encode()
            return Answer(404, {"Content-Type": "application/json"}, body)
        return Answer(200, {"Content-Type": "text/x-ndjson"}, ("\n".join(lines) + "\n").encode())

    def data(self, target: str, headers: dict[str, str]) -> Answer:
        crawl = next((c for c in self.crawls() if target == f"/{c.filename}"), None)
        if crawl is None:
            return Answer(404, {"Content-Type": "text/plain"}, b"NoSuchKey")
        whole, _ = self._file(crawl)
        span = RANGE.fullmatch(headers.get("range", ""))
        if span is None:
            return Answer(200, {"Content-Type": "application/octet-stream"}, whole)
        first, last = int(span[1]), min(int(span[2]), len(whole) - 1)
        return Answer(
            206,
            {"Content-Type": "application/octet-stream",
             "Content-Range": f"bytes {first}-{last}/{len(whole)}"},
            whole[first : last + 1],
        )  # fmt: skip

    def _file(self, crawl: Crawl) -> tuple[bytes, dict[str, tuple[int, int]]]:
        """The crawl's WARC file and each capture's (offset, length) in it, built once."""
        if crawl.id not in self._files:
            out, spans = bytearray(), {}
            for capture in crawl.captures:
                member = gzip.compress(_warc_record(capture, self.corpus), mtime=0)
                spans[capture.timestamp + capture.original] = (len(out), len(member))
                out += member
            self._files[crawl.id] = (bytes(out), spans)
        return self._files[crawl.id]


def _digest(capture: Capture) -> str:
    return hashlib.sha1(f"{capture.path} {capture.kind}".encode()).hexdigest().upper()[:32]


def _warc_record(capture: Capture, corpus: CorpusView) -> bytes:
    status, headers, body = page_for(capture, corpus)
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items() if k != "content-length")
    http = (f"HTTP/1.1 {status} OK\r\n{head}Content-Length: {len(body)}\r\n\r\n").encode() + body
    record_id = uuid.uuid5(uuid.NAMESPACE_URL, capture.original + capture.timestamp)
    warc = (
        "WARC/1.0\r\nWARC-Type: response\r\n"
        f"WARC-Date: {capture.when:%Y-%m-%dT%H:%M:%SZ}\r\n"
        f"WARC-Record-ID: <urn:uuid:{record_id}>\r\n"
        f"WARC-Target-URI: {capture.original}\r\n"
        "Content-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(http)}\r\n\r\n"
    ).encode()
    return warc + http + b"\r\n\r\n"


@dataclass
class CommonCrawlReplay:
    index: LoopbackHost
    data: LoopbackHost


@contextmanager
def serve_commoncrawl(
    corpus: CorpusView, captures: tuple[Capture, ...] | None = None
) -> Iterator[CommonCrawlReplay]:
    """`with serve_commoncrawl(corpus) as cc:` serves `cc.index` and `cc.data` on loopback."""
    routes = CommonCrawlRoutes(
        corpus, captures if captures is not None else commoncrawl_plan(corpus)
    )
    with ExitStack() as stack:
        index = stack.enter_context(LoopbackHost(routes.index, "replay-cc-index"))
        data = stack.enter_context(LoopbackHost(routes.data, "replay-cc-data"))
        routes.index_base = index.base_url
        yield CommonCrawlReplay(index, data)
