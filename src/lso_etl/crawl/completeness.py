"""Whether a body that arrived "whole" by its framing is really the whole document.

HTTP framing cannot tell a cut page from a complete one when the server itself is wrong: with a
Content-Length shorter than the body, httpx reads exactly that many bytes and reports success
(measured: 513 of 1,026 bytes; the next request on the connection then fails on the leftover),
and a body that ends with the connection has no length to check at all. The document can tell:
- HTML: both of the site's layouts (every golden page in tests/fixtures/pages, every replay
  page, the listings and the home page) open `<html>` and close it, so an HTML document that
  opens `<html>` and never closes it was cut in transit. A fragment that never opened `<html>`
  is not judged: browsers accept an unclosed page, and so would we.
- XML (sitemaps, feeds): a well-formed document always closes its root element.
"""

from __future__ import annotations

import re

# Where the root's opening tag may appear: after a BOM, a declaration, a doctype, a comment.
_HEAD_BYTES = 4096
CHALLENGE_SCAN = 16 * 1024
_HTML_OPENS = re.compile(rb"<html[\s>]", re.IGNORECASE)
# The first element (not `<?xml`, `<!DOCTYPE` or `<!--`), and whether it closes itself.
_XML_ROOT = re.compile(rb"<([A-Za-z_][\w:.\-]*)[^>]*?(/?)>")


def cut_short(status: int, content_type: str | None, body: bytes) -> str | None:
    """Why this 2xx HTML or XML body is incomplete, or None when it is complete or not judged."""
    if not 200 <= status < 300:
        return None
    kind = (content_type or "").lower()
    if "html" in kind:
        root = b"html" if _HTML_OPENS.search(body, 0, _HEAD_BYTES) else None
    elif "xml" in kind:
        root = _xml_root(body)
    else:
        return None
    if root is None or _closes(root, body):
        return None
    name, media = root.decode("ascii", "replace"), kind.split(";")[0].strip()
    return f"body cut short: {len(body)} bytes of {media} and no closing </{name}>"


def is_challenge(body: bytes, markers: tuple[str, ...]) -> bool:
    """Whether a 200 body is a CDN's bot challenge ("Just a moment...") instead of the page.

    Such a page never came from the site: an article or sitemap answered with one is unread, not
    empty and not broken. Challenge pages are small, so their markers sit near the top."""
    head = body[:CHALLENGE_SCAN].decode("utf-8", "replace").lower()
    return any(marker.lower() in head for marker in markers)


def _xml_root(body: bytes) -> bytes | None:
    """The root element's name, or None if there is none or it closes itself (`<urlset/>`)."""
    found = _XML_ROOT.search(body, 0, _HEAD_BYTES)
    if found is None or found.group(2):
        return None
    return found.group(1)


def _closes(root: bytes, body: bytes) -> bool:
    closing = re.compile(rb"</" + re.escape(root) + rb"\s*>", re.IGNORECASE)
    # On a complete document the closing tag is in the last few bytes: look there first.
    return bool(closing.search(body, max(0, len(body) - _HEAD_BYTES)) or closing.search(body))
