"""How a web archive's copy is named in our own raw archive: three WARC headers.

The record keeps the archive's response under the article's original URL (so `reparse` and
a resumed run find it like any page of the site); these headers say which capture it was,
so a record rebuilt offline has the same provenance as when it was fetched.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lso_etl.models import Capture

SOURCE_HEADER = "WARC-Lso-Fetched-From"
CAPTURE_URL_HEADER = "WARC-Lso-Capture-URL"
CAPTURE_TIME_HEADER = "WARC-Lso-Capture-Time"


def warc_headers(capture: Capture) -> tuple[tuple[str, str], ...]:
    return (
        (SOURCE_HEADER, capture.source),
        (CAPTURE_URL_HEADER, capture.url),
        (CAPTURE_TIME_HEADER, capture.time.isoformat()),
    )


def capture_of(headers: Any) -> Capture | None:
    """The capture a WARC record's headers (warcio StatusAndHeaders) name, if any."""
    source = headers.get_header(SOURCE_HEADER)
    if not source:
        return None
    return Capture(
        source,
        headers.get_header(CAPTURE_URL_HEADER) or "",
        datetime.fromisoformat(headers.get_header(CAPTURE_TIME_HEADER)),
        headers.get_header("WARC-Target-URI") or "",
    )
