"""How a web archive's copy is named in our own raw archive: three WARC headers.

The record keeps the archive's response under the article's original URL (so `reparse` and
a resumed run find it like any page of the site); these headers say which capture it was,
so a record rebuilt offline has the same provenance as when it was fetched.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from lso_etl.models import Capture

SOURCE_HEADER = "WARC-Lso-Fetched-From"
CAPTURE_URL_HEADER = "WARC-Lso-Capture-URL"
CAPTURE_TIME_HEADER = "WARC-Lso-Capture-Time"
CREDENTIALS = re.compile(r"//[^/?#@\s]*@")  # the userinfo after a scheme's //, up to its @


def warc_headers(capture: Capture) -> tuple[tuple[str, str], ...]:
    return (
        (SOURCE_HEADER, capture.source),
        (CAPTURE_URL_HEADER, shown(capture.url)),
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


def shown(url: str) -> str:
    """`url` as it may be stored or logged: every `user:pass@` taken out, the URL's own and
    that of an original embedded in it (`/web/{ts}id_/http://user:pass@host/...`). An
    archive's index holds URLs as they were linked, credentials and all; they are nobody's
    business here."""
    return CREDENTIALS.sub("//", url)


def same_host(url: str, target: str) -> bool:
    """Whether `target` is on `url`'s host and port, over http or https: where an archive's
    redirect may lead (a nearer capture, http to https), and nowhere else."""
    try:
        here, there = urlsplit(url), urlsplit(target)
        ports = here.port, there.port
    except ValueError:  # a port that is no number, an unclosed IPv6 bracket
        return False
    return (there.scheme in ("http", "https") and there.hostname is not None
            and (there.hostname, ports[1]) == (here.hostname, ports[0]))  # fmt: skip
