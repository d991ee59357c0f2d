"""One HTTP exchange under hard limits: a body cap (also after decompression) and a total deadline.

httpx bounds each read but not the whole response, and it inflates whatever arrives: a server
that drips one byte a second, or a 50 KB gzip body that inflates to gigabytes, would get past
both. So the body is streamed raw and inflated here, chunk by chunk, and reading stops as soon
as either limit is passed. A body that is framed as complete but is not (a gzip stream that
stops before its end, an HTML page never closed: see `completeness`) is `Truncated`, never
returned. Redirects, retries and pacing are the Fetcher's business, not this.
"""

from __future__ import annotations

import functools
import ssl
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime

import certifi
import httpx

from lso_etl.crawl.completeness import cut_short

# Headers that describe the bytes on the wire, not the (inflated, de-chunked) body we keep.
_WIRE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


class BodyTooLarge(Exception):
    """The body (as sent or once inflated) is larger than the cap: a final outcome, not retried."""


class UnsupportedEncoding(Exception):
    """A Content-Encoding we did not ask for and cannot inflate: final."""


class DeadlineExceeded(Exception):
    """The whole response took longer than the total timeout (a slow drip): retried."""


class CorruptBody(Exception):
    """The compressed body does not inflate: treated like a transport error, retried."""


class Truncated(Exception):
    """The body arrived cut short although its framing said it was whole: retried, never kept."""


@dataclass(frozen=True)
class Limits:
    max_body: int
    total_timeout: float


@dataclass(frozen=True)
class Exchange:
    """One request and its complete response, as the archive keeps them."""

    url: str
    request_headers: tuple[tuple[str, str], ...]
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]  # as received, minus the wire-only ones
    content: bytes  # inflated
    started_at: datetime
    elapsed: float
    content_encoding: str | None = None  # how it travelled, for the record
    # More WARC headers for the record: a web archive's copy names its capture (issue 15).
    warc_headers: tuple[tuple[str, str], ...] = ()

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)

    @property
    def header_dict(self) -> dict[str, str]:
        return {k.lower(): v for k, v in self.headers}


def conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """The headers of a conditional GET for a response last seen with these validators."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One verifying TLS context per process: building one (reading the CA bundle) costs tens of
    milliseconds, and a backfill makes a Fetcher per chunk."""
    return ssl.create_default_context(cafile=certifi.where())


def exchange(client: httpx.Client, url: str, headers: dict[str, str], limits: Limits) -> Exchange:
    """GET `url` and read its whole body within the limits, or raise."""
    started_at, began = datetime.now(UTC), time.monotonic()
    deadline = began + limits.total_timeout
    with client.stream("GET", url, headers=headers) as response:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limits.max_body:
            raise BodyTooLarge(f"declared body of {declared} bytes is over {limits.max_body}")
        encoding = response.headers.get("content-encoding", "").strip().lower() or None
        try:
            body = _read(response, _Inflater(encoding), limits, deadline)
            reason = cut_short(response.status_code, response.headers.get("content-type"), body)
            if reason is not None:
                raise Truncated(reason)
        except Truncated:
            _drop_connection(response)
            raise
        kept = [(k, v) for k, v in response.headers.multi_items() if k not in _WIRE_HEADERS]
        return Exchange(
            url=str(response.url),
            request_headers=tuple(response.request.headers.multi_items()),
            status=response.status_code,
            reason=response.reason_phrase,
            headers=(*kept, ("content-length", str(len(body)))),
            content=body,
            started_at=started_at,
            elapsed=time.monotonic() - began,
            content_encoding=encoding,
        )


def _read(response: httpx.Response, inflater: _Inflater, limits: Limits, deadline: float) -> bytes:
    cap = limits.max_body
    body = bytearray()
    received = 0
    # A response built in memory (httpx.MockTransport in unit tests) has no stream left to read.
    chunks = [response.content] if response.is_stream_consumed else response.iter_raw()
    for chunk in chunks:
        received += len(chunk)
        if received > cap:
            raise BodyTooLarge(f"body is over {cap} bytes")
        body += inflater.feed(chunk, cap - len(body))
        if time.monotonic() > deadline:
            raise DeadlineExceeded(f"response took longer than {limits.total_timeout:g} s")
    body += inflater.finish(cap - len(body))
    return bytes(body)


def _drop_connection(response: httpx.Response) -> None:
    """Close the connection a cut body came on: when the server sent more than its
    Content-Length said, the rest is still on it and would be read as the next response
    (the pool then sees a closed socket and opens a new connection)."""
    stream = response.extensions.get("network_stream")
    if stream is not None:  # absent for responses built in memory (httpx.MockTransport)
        stream.close()


class _Inflater:
    """Inflates gzip/deflate with a bound on the output of every step (never a whole bomb)."""

    def __init__(self, encoding: str | None) -> None:
        if encoding not in (None, "identity", "gzip", "x-gzip", "deflate"):
            raise UnsupportedEncoding(f"unsupported Content-Encoding: {encoding}")
        self._encoding = encoding
        # gzip or zlib header, detected from the first bytes
        self._z = (
            None if encoding in (None, "identity") else zlib.decompressobj(zlib.MAX_WBITS | 32)
        )
        self._first = True
        self._fed = False  # an empty body (a redirect, a 304) is no stream at all, not a cut one

    def feed(self, data: bytes, room: int) -> bytes:
        if self._z is None:
            return data
        try:
            piece = self._z.decompress(data, room + 1)
        except zlib.error:
            if not (self._first and self._encoding == "deflate"):
                raise CorruptBody("compressed body does not inflate") from None
            # Some servers send raw deflate without the zlib wrapper the RFC asks for.
            self._z = zlib.decompressobj(-zlib.MAX_WBITS)
            piece = self._z.decompress(data, room + 1)
        self._first = False
        self._fed = self._fed or bool(data)
        if len(piece) > room:
            raise BodyTooLarge("inflated body is over the cap")
        return piece

    def finish(self, room: int) -> bytes:
        if self._z is None:
            return b""
        rest = self._z.flush()
        if len(rest) > room:
            raise BodyTooLarge("inflated body is over the cap")
        if self._fed and not self._z.eof:  # the stream's own end marker (and gzip's CRC) never came
            raise Truncated(f"{self._encoding} stream ends early")
        return rest
