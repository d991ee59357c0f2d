"""Reading WARC files safely: who wrote a file (its warcinfo record), and where records start.

The archive (`archive.RunArchive`) writes a warcinfo record as each file's first record; the
warehouse decides from its fields whether the file is its own (`store.crawl_state.archive_identity`).

Anything can lie in an archive folder under a `.warc.gz` name: a FIFO (opening it waits for a
writer forever), a link to /dev/zero (endless bytes), a 20 GB sparse file, megabytes of junk
after the last record. warcio reads bytes that are no gzip member as one text line, in time
quadratic in its length (64 MiB of zeros: 86 s), so nothing is handed to it before
`record_at` has seen a WARC record begin there, and junk is skipped with `bytes.find`.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
import zlib
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator

log = logging.getLogger(__name__)

GZIP_MAGIC = b"\x1f\x8b\x08"  # every record is its own gzip member: where reading can resume
SEARCH_LIMIT = 256 << 20  # junk searched for a next record before the rest of a file is given up
_SEARCH_BLOCK = 4 << 20
_PEEK = 4096  # enough deflate input for a member's first output bytes (~100 bytes of tables)


def open_regular(path: Path) -> BinaryIO:
    """`path` opened for reading when it is (or links to) a regular file; otherwise OSError
    saying what it is. Opened non-blocking and checked on the open file, so a FIFO never
    waits for a writer and a file swapped after a check is still caught."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise OSError(errno.EINVAL, f"{kind_of_file(mode)}, not a regular file")
    return os.fdopen(fd, "rb")


def kind_of_file(mode: int) -> str:
    """What a file that is not regular is, for a log line."""
    for test, name in (
        (stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"),
    ):  # fmt: skip
        if test(mode):
            return name
    return "no regular file"


def record_at(stream: BinaryIO, offset: int) -> bool:
    """Whether a WARC record (as a gzip member) begins at `offset`: its first bytes inflate
    to "WARC/". Read with pread, so the stream's position is left alone."""
    head = os.pread(stream.fileno(), _PEEK, offset)
    if not head.startswith(GZIP_MAGIC):
        return False
    try:
        text = zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(head, 8)
    except zlib.error:
        return False
    return text.startswith(b"WARC/")


def next_record(stream: BinaryIO, position: int) -> tuple[int | None, bool]:
    """The offset of the next WARC record at or after `position` (None if there is none), and
    whether the search gave up: more than `SEARCH_LIMIT` bytes of junk were searched."""
    fd, carry = stream.fileno(), len(GZIP_MAGIC) - 1
    start = position
    while position - start < SEARCH_LIMIT:
        block = os.pread(fd, _SEARCH_BLOCK + carry, position)
        found = block.find(GZIP_MAGIC)
        while found >= 0:
            if record_at(stream, position + found):
                return position + found, False
            found = block.find(GZIP_MAGIC, found + 1)
        if len(block) <= carry:
            return None, False  # the end of the file
        position += len(block) - carry  # a magic split across two blocks is found in the next
    return None, position < os.fstat(fd).st_size


def read_warcinfo(path: Path) -> dict[str, str]:
    """The fields of a WARC file's first record when it is a warcinfo record; otherwise (no
    such record, a damaged or unreadable file, no regular file) none: the file's name is then
    all it tells."""
    try:
        with open_regular(path) as stream:
            if not record_at(stream, 0):
                return {}
            record = next(iter(ArchiveIterator(stream)), None)
            if record is None or record.rec_type != "warcinfo":
                return {}
            text = record.content_stream().read().decode("utf-8", "replace")
    except Exception as exc:  # warcio, zlib and the OS raise many kinds for damaged bytes
        log.debug("%s: no readable warcinfo record (%s)", path, exc)
        return {}
    fields = (line.split(":", 1) for line in text.splitlines() if ":" in line)
    return {name.strip(): value.strip() for name, value in fields}
