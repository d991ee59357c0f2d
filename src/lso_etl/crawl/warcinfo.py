"""Reading a WARC file's warcinfo record: who wrote the file (which run, which warehouse).

The archive (`archive.RunArchive`) writes it as each file's first record; the warehouse
decides from its fields whether the file is its own (`store.identity`).
"""

from __future__ import annotations

import logging
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

log = logging.getLogger(__name__)


def read_warcinfo(path: Path) -> dict[str, str]:
    """The fields of a WARC file's first record when it is a warcinfo record; otherwise (no
    such record, a damaged or unreadable file) none: the file's name is then all it tells."""
    try:
        with path.open("rb") as stream:
            record = next(iter(ArchiveIterator(stream)), None)
            if record is None or record.rec_type != "warcinfo":
                return {}
            text = record.content_stream().read().decode("utf-8", "replace")
    except Exception as exc:  # warcio, zlib and the OS raise many kinds for damaged bytes
        log.debug("%s: no readable warcinfo record (%s)", path, exc)
        return {}
    fields = (line.split(":", 1) for line in text.splitlines() if ":" in line)
    return {name.strip(): value.strip() for name, value in fields}
