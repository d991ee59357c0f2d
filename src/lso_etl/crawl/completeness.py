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

# Bytes of markup, comments and declarations aside, within which the root's opening tag appears.
_HEAD_BYTES = 4096
CHALLENGE_SCAN = 16 * 1024
# Challenge pages are a few kilobytes (Cloudflare's: 5-30 KB); an article page is ~150 KB.
CHALLENGE_MAX = 64 * 1024
_NAME = re.compile(rb"<([A-Za-z_][\w:.\-]*)")
# The rest of a start tag (quoted values may hold `>`), and whether it closes itself. Atomic and
# with disjoint alternatives: it never backtracks into what it matched.
_TAG_REST = re.compile(rb"(?>[^>\"'/]+|\"[^\"]*\"|'[^']*'|/(?!>))*(/?)>")
# What is not an element: a comment, then a processing instruction (`<?xml`, `<?xml-stylesheet`),
# then a doctype or other declaration; each skipped to its end, so a `<br>` or `<html>` written
# inside one is not taken for the root.
_NOT_ELEMENTS = ((b"<!--", b"-->"), (b"<?", b">"), (b"<!", b">"))


def cut_short(status: int, content_type: str | None, body: bytes) -> str | None:
    """Why this 2xx HTML or XML body is incomplete, or None when it is complete or not judged."""
    if not 200 <= status < 300:
        return None
    kind = (content_type or "").lower()
    if "html" in kind:
        root = _first_element(body, b"html")
    elif "xml" in kind:
        root = _first_element(body, None)
    else:
        return None
    if root is None or _closes(root[0], body, root[1]):
        return None
    name, media = root[0].decode("ascii", "replace"), kind.split(";")[0].strip()
    return f"body cut short: {len(body)} bytes of {media} and no closing </{name}>"


def is_challenge(body: bytes, markers: tuple[str, ...]) -> bool:
    """Whether a 200 body is a CDN's bot challenge ("Just a moment...") instead of the page.

    Such a page never came from the site: an article or sitemap answered with one is unread, not
    empty and not broken. Challenge pages are small, so their markers sit near the top; a page
    of article size is never one, whatever words it quotes."""
    if len(body) > CHALLENGE_MAX:
        return False
    head = body[:CHALLENGE_SCAN].decode("utf-8", "replace").lower()
    return any(marker.lower() in head for marker in markers)


def _first_element(body: bytes, wanted: bytes | None) -> tuple[bytes, int] | None:
    """The name and end of the first element (of the first `wanted` one, for HTML: it may follow others)
    outside comments, processing instructions and declarations; None when there is none within
    `_HEAD_BYTES` of markup, or it closes itself (`<urlset/>`). One pass: every step moves on."""
    position = skipped = 0
    while (start := body.find(b"<", position)) >= 0 and start - skipped <= _HEAD_BYTES:
        opener = next((pair for pair in _NOT_ELEMENTS if body.startswith(pair[0], start)), None)
        if opener is not None:
            end = body.find(opener[1], start + len(opener[0]))
            if end < 0:
                return None  # never ends: no root to judge
            position = end + len(opener[1])
            skipped += position - start
            continue
        name = _NAME.match(body, start)
        position = start + 1
        if name is None or (wanted is not None and name.group(1).lower() != wanted):
            continue
        rest = _TAG_REST.match(body, name.end(), name.end() + _HEAD_BYTES)
        if rest is None or rest.group(1):
            return None
        return wanted or name.group(1), rest.end()
    return None


def _closes(root: bytes, body: bytes, opened: int) -> bool:
    """Whether the root's closing tag follows its opening (one in a comment before it does not
    count)."""
    closing = re.compile(rb"</" + re.escape(root) + rb"\s*>", re.IGNORECASE)
    # On a complete document the closing tag is in the last few bytes: look there first.
    tail = max(opened, len(body) - _HEAD_BYTES)
    return bool(closing.search(body, tail) or closing.search(body, opened))
