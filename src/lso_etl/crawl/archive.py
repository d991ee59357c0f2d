"""The raw archive: every response and its request, in one gzip WARC file per run.

A page once fetched is never fetched again to re-parse it: `reparse` and a resumed backfill
read it from here. Each record is its own gzip member, written and flushed before the
fetcher moves on, so a run killed at any moment leaves every completed exchange readable;
the warehouse index (`archive_records`) is written per batch and rebuilt from the file's tail
when a run died before indexing it (`scan`).

The body is stored inflated, with the wire-only headers (Content-Encoding, Transfer-Encoding)
dropped: the size cap applies to inflated bytes, and a reader must never have to inflate a
bomb again. How the body travelled is kept in `WARC-Lso-Content-Encoding`.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import os
import threading
import zlib
from collections.abc import Generator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from lso_etl.crawl.archives.provenance import capture_of
from lso_etl.crawl.transfer import Exchange
from lso_etl.crawl.warcinfo import SEARCH_LIMIT, next_record, open_regular, record_at
from lso_etl.models import ArchiveRecord, RawPage
from lso_etl.site.urls import classify

log = logging.getLogger(__name__)

GZIP_LEVEL = 6  # warcio's own writer uses 9: ~3x the CPU for a few percent less disk
RUN_HEADER = "WARC-Lso-Run-Id"
REQUESTED_HEADER = "WARC-Lso-Requested-URI"
ENCODING_HEADER = "WARC-Lso-Content-Encoding"


def kind_of(url: str) -> str:
    if url.split("?", 1)[0].endswith("/robots.txt"):
        return "robots"
    return "article" if classify(url) else "discovery"


def _article_id(url: str) -> str | None:
    identity = classify(url)
    return identity.article_id if identity else None


class RunArchive:
    """The WARC file of one run (created on the first response) and the run's fetch log."""

    def __init__(self, root: Path, run_id: str, info: dict[str, str]) -> None:
        self.root = root
        self.run_id = run_id
        self.name = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{run_id}.warc.gz"
        self._info = info
        self._file: BinaryIO | None = None
        self._lock = threading.Lock()  # concurrent fetches append whole records, one at a time
        self._rows: list[ArchiveRecord] = []
        self.records = 0

    @property
    def path(self) -> Path:
        return self.root / self.name

    def response(self, requested_url: str, exchange: Exchange) -> None:
        """Archive one complete response and its request; log it for the index."""
        digest = hashlib.sha256(exchange.content).digest()
        # Built (and compressed) outside the lock: concurrent fetches only queue for the write.
        response, record_id = _response_record(self.run_id, requested_url, exchange, digest)
        request = _request_record(exchange, record_id)
        with self._lock:
            out = self._open()
            # The request first and the response last, so a fully indexed file ends exactly
            # where its last indexed record does (recovery then has nothing to scan).
            out.write(request)
            offset = out.tell()
            out.write(response)
            out.flush()  # a SIGKILL after this line loses nothing
            self.records += 1
            self._rows.append(self._row(requested_url, exchange, digest, offset, len(response)))

    def drain(self) -> list[ArchiveRecord]:
        """Records archived since the last drain (the loader indexes them in `archive_records`)."""
        with self._lock:
            rows, self._rows = self._rows, []
        return rows

    def requeue(self, rows: list[ArchiveRecord]) -> None:
        """Put back rows whose load failed: the index must stay a prefix of the file, which is
        what lets `recover` look at a file's tail only."""
        with self._lock:
            self._rows = rows + self._rows

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    def _open(self) -> BinaryIO:
        if self._file is None:
            self.root.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("xb")
            self._file.write(_warcinfo(self.name, self._info))
        return self._file

    def _row(
        self, requested: str, ex: Exchange, digest: bytes, offset: int, length: int
    ) -> ArchiveRecord:
        return ArchiveRecord(
            self.name, offset, length, self.run_id, ex.url, requested, _article_id(ex.url),
            kind_of(ex.url), ex.status, ex.started_at, round(ex.elapsed * 1000), len(ex.content),
            digest.hex(), ex.header("etag"), ex.header("last-modified"),
        )  # fmt: skip


# --- writing ---------------------------------------------------------------------------------
def _gzip_member(record: Any) -> bytes:
    """One WARC record as its own gzip member, so any record can be read from its offset."""
    plain = io.BytesIO()
    WARCWriter(plain, gzip=False).write_record(record)
    packer = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return packer.compress(plain.getvalue()) + packer.flush()


_BUILDER = WARCWriter(io.BytesIO(), gzip=False)


def _response_record(run_id: str, requested: str, ex: Exchange, digest: bytes) -> tuple[bytes, str]:
    warc_headers = {
        "WARC-Date": _warc_date(ex.started_at),
        "WARC-Payload-Digest": "sha256:" + base64.b32encode(digest).decode(),
        RUN_HEADER: run_id,
        REQUESTED_HEADER: requested,
    }
    if ex.content_encoding:
        warc_headers[ENCODING_HEADER] = ex.content_encoding
    warc_headers.update(ex.warc_headers)
    http = StatusAndHeaders(f"{ex.status} {ex.reason}".strip(), list(ex.headers), "HTTP/1.1")
    record = _BUILDER.create_warc_record(
        ex.url, "response", payload=io.BytesIO(ex.content), length=len(ex.content),
        warc_headers_dict=warc_headers, http_headers=http,
    )  # fmt: skip
    return _gzip_member(record), record.rec_headers.get_header("WARC-Record-ID")


def _request_record(ex: Exchange, response_id: str) -> bytes:
    path = ex.url.split("/", 3)[3] if ex.url.count("/") >= 3 else ""
    http = StatusAndHeaders(f"GET /{path} HTTP/1.1", list(ex.request_headers), is_http_request=True)
    warc_headers = {"WARC-Date": _warc_date(ex.started_at), "WARC-Concurrent-To": response_id}
    record = _BUILDER.create_warc_record(
        ex.url, "request", payload=io.BytesIO(b""), length=0,
        warc_headers_dict=warc_headers, http_headers=http,
    )  # fmt: skip
    return _gzip_member(record)


def _warcinfo(name: str, info: dict[str, str]) -> bytes:
    return _gzip_member(_BUILDER.create_warcinfo_record(name, info))


def _warc_date(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --- reading ---------------------------------------------------------------------------------
class DamagedRecord(Exception):
    """An archived record that cannot be read back whole: its file is missing, cut short,
    overwritten or no WARC file at all. The message names the file and the offset;
    `whole_file` says that the file itself cannot be opened (missing, a FIFO, a device)."""

    def __init__(self, message: str, whole_file: bool = False) -> None:
        super().__init__(message)
        self.whole_file = whole_file


def read_page(root: Path, warc_file: str, offset: int) -> RawPage:
    """The archived response at `offset` of `warc_file`, as the parser's input. No network.
    Raises `DamagedRecord` when it cannot be read back exactly as it was archived."""
    try:
        opened = open_regular(root / warc_file)
    except OSError as exc:
        why = f"{warc_file} at offset {offset}: {_why(exc)}"
        raise DamagedRecord(why, whole_file=True) from None
    try:
        with opened as stream:
            if not record_at(stream, offset):  # junk would cost warcio minutes (see warcinfo)
                raise ValueError("no WARC record there")
            stream.seek(offset)
            record = next(iter(ArchiveIterator(stream)), None)
            if record is None or record.rec_type != "response":
                raise ValueError("no response record there")
            page = _page(record)
            intact = _digest_matches(record, page.content)
    except Exception as exc:  # warcio, zlib and the OS raise many kinds for damaged bytes
        raise DamagedRecord(f"{warc_file} at offset {offset}: {_why(exc)}") from None
    if not intact:
        raise DamagedRecord(f"{warc_file} at offset {offset}: payload digest mismatch")
    return page


def _why(exc: Exception) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    # warcio quotes the unreadable bytes it met: a log line names the damage, not the garbage.
    text = str(exc) if len(str(exc)) <= 120 else str(exc)[:117] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _page(record: Any) -> RawPage:
    headers = record.rec_headers
    http = record.http_headers
    return RawPage(
        requested_url=headers.get_header(REQUESTED_HEADER) or headers.get_header("WARC-Target-URI"),
        url=headers.get_header("WARC-Target-URI"),
        status=int(http.get_statuscode()),
        headers={k.lower(): v for k, v in http.headers},
        content=record.content_stream().read(),
        fetched_at=datetime.fromisoformat(headers.get_header("WARC-Date").replace("Z", "+00:00")),
        capture=capture_of(headers),
    )


def scan(root: Path, warc_file: str, start: int) -> Iterator[ArchiveRecord]:
    """Index rows of the responses from byte `start` on. A damaged record (torn by a crash,
    overwritten, garbage) is logged with its offset and skipped: reading resumes at the next
    record, so one bad record costs only itself; a file that is no regular file is skipped."""
    try:
        stream = open_regular(root / warc_file)
    except OSError as exc:
        log.warning("%s: unreadable archive file (%s): skipped", warc_file, _why(exc))
        return
    with stream:
        position: int | None = start
        while position is not None:
            position = yield from _scan_from(stream, warc_file, position)


def _scan_from(
    stream: BinaryIO, warc_file: str, start: int
) -> Generator[ArchiveRecord, None, int | None]:
    """Rows from `start` to the end (then None), or to a damaged record (then where to resume)."""
    if not record_at(stream, start):
        return _skip(stream, warc_file, start, "no WARC record there")
    stream.seek(start)
    records = ArchiveIterator(stream)
    good_end = start
    try:
        for record in records:
            page = _page(record) if record.rec_type == "response" else None
            offset, length = records.get_record_offset(), records.get_record_length()
            if page is not None:
                if not _digest_matches(record, page.content):
                    raise ValueError("payload digest mismatch")
                yield _scanned_row(record, warc_file, page, offset, length)
            good_end = offset + length  # warcio counts offsets from the file start
            if not record_at(stream, good_end) and os.pread(stream.fileno(), 1, good_end):
                # Not the end and no record: stop warcio before it reads the junk as a line.
                return _skip(stream, warc_file, good_end, "no WARC record there")
        return None
    except Exception as exc:  # warcio, zlib and the OS raise many kinds for damaged bytes
        return _skip(stream, warc_file, good_end, _why(exc))


def _skip(stream: BinaryIO, warc_file: str, at: int, why: str) -> int | None:
    """Log the damage at `at` in one line and say where reading resumes (None: nowhere)."""
    resume, gave_up = next_record(stream, at + 1)
    rest = os.fstat(stream.fileno()).st_size - at
    if resume is not None:
        then = f"reading resumes at offset {resume}"
    elif gave_up:
        then = f"none in the next {SEARCH_LIMIT >> 20} MiB: its last {rest} bytes not read"
    else:
        then = f"no record in its last {rest} bytes"
    log.warning(
        "%s: damaged archive record at offset %d (%s): skipped; %s", warc_file, at, why, then
    )
    return resume


def _digest_matches(record: Any, content: bytes) -> bool:
    """A torn gzip member can still yield a short body: our sha256 digest tells."""
    declared = record.rec_headers.get_header("WARC-Payload-Digest") or ""
    if not declared.startswith("sha256:"):
        return True  # not written by us: nothing to check against
    digest = base64.b32encode(hashlib.sha256(content).digest()).decode()
    return declared == "sha256:" + digest


def _scanned_row(
    record: Any, warc_file: str, page: RawPage, offset: int, length: int
) -> ArchiveRecord:
    run_id = record.rec_headers.get_header(RUN_HEADER) or warc_file.split("-", 1)[-1][:-8]
    return ArchiveRecord(
        warc_file, offset, length, run_id, page.url, page.requested_url, _article_id(page.url),
        kind_of(page.url), page.status, page.fetched_at, None, len(page.content),
        hashlib.sha256(page.content).hexdigest(), page.headers.get("etag"),
        page.headers.get("last-modified"),
    )  # fmt: skip
