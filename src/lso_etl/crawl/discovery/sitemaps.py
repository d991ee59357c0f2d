"""Sitemaps (sitemaps.org) parsed incrementally: a spec-sized one is 50,000 URLs and up to 50 MB.

`ET.fromstring` would build a tree of every `<url>` before the first entry is read: hundreds of
bytes per element, several times the document itself. Here the body is fed to expat in pieces
and each entry is kept as a `(url, date)` pair the moment its element closes, so memory grows
with the entries, not with the tree.

Entity declarations are refused outright (as defusedxml does): a sitemap has no use for them,
and they are how billion-laughs and external-entity attacks start. expat's own amplification
limit (expat >= 2.4) stays as a second guard.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pyexpat import ExpatError, ParserCreate

from lso_etl.crawl.discovery.listings import iso_date
from lso_etl.models import Entry

PIECE = 64 * 1024  # bytes handed to expat at a time
# sitemaps.org: at most 50 MB uncompressed, also for a gzipped file (sitemap.xml.gz served as
# a file, not as Content-Encoding, so the transfer's own inflate cap does not apply to it).
MAX_INFLATED = 50 * 1024 * 1024
ROOTS = frozenset({"urlset", "sitemapindex"})


class NotASitemap(ValueError):
    """The body is not a sitemap: not XML (an HTML challenge page), another root, or refused."""


class _Entries:
    """expat callbacks that keep each `<url>`/`<sitemap>` entry's `loc` and `lastmod`."""

    def __init__(self) -> None:
        self.children: list[Entry] = []
        self.pages: list[Entry] = []
        self.root: str | None = None
        self._depth = 0
        self._kind = ""
        self._field: str | None = None
        self._text: list[str] = []
        self._values: dict[str, str] = {}

    def start(self, tag: str, _attributes: object) -> None:
        self._depth += 1
        name = _local(tag)
        if self._depth == 1:
            if name not in ROOTS:
                raise NotASitemap(f"root element <{name}> is not <urlset> or <sitemapindex>")
            self.root = name
        elif self._depth == 2:
            self._kind, self._values = name, {}
        elif self._depth == 3 and name in ("loc", "lastmod"):
            # Only direct children: an image extension's <image:loc> sits one level deeper.
            self._field, self._text = name, []

    def text(self, data: str) -> None:
        if self._field is not None:
            self._text.append(data)

    def end(self, _tag: str) -> None:
        if self._depth == 3 and self._field is not None:
            self._values[self._field] = "".join(self._text).strip()
            self._field = None
        elif self._depth == 2 and self._values.get("loc"):
            entry = (self._values["loc"], iso_date(self._values.get("lastmod")))
            (self.children if self._kind == "sitemap" else self.pages).append(entry)
        self._depth -= 1


def _refuse_entities(*_args: object) -> None:
    raise NotASitemap("the document declares XML entities: refused (billion-laughs guard)")


def parse_sitemap(xml: bytes) -> tuple[list[Entry], list[Entry]]:
    """(child sitemaps, page URLs) of a sitemap index or urlset, each with its lastmod date.

    Raises NotASitemap (a ValueError) for anything else, so that a challenge page or a broken
    body served in a sitemap's place is an unread document, never an empty one.
    """
    entries = _Entries()
    parser = ParserCreate()  # namespaces unresolved: tags are matched on their local name
    parser.StartElementHandler = entries.start
    parser.EndElementHandler = entries.end
    parser.CharacterDataHandler = entries.text
    parser.EntityDeclHandler = _refuse_entities
    parser.buffer_text = True
    try:
        for piece in _pieces(xml):
            parser.Parse(piece, False)
        parser.Parse(b"", True)
    except ExpatError as exc:
        raise NotASitemap(f"not well-formed XML ({exc})") from None
    if entries.root is None:
        raise NotASitemap("no root element")
    return entries.children, entries.pages


def _pieces(body: bytes) -> Iterator[bytes]:
    """The body in PIECE-sized bytes, inflated piece by piece when it is a gzip file."""
    if not body.startswith(b"\x1f\x8b"):
        view = memoryview(body)
        yield from (view[i : i + PIECE].tobytes() for i in range(0, len(view), PIECE))
        return
    inflater, total, pending = zlib.decompressobj(zlib.MAX_WBITS | 16), 0, body
    while pending and not inflater.eof:
        try:
            piece = inflater.decompress(pending, PIECE)
        except zlib.error as exc:
            raise NotASitemap(f"gzip body does not inflate ({exc})") from None
        total += len(piece)
        if total > MAX_INFLATED:
            raise NotASitemap(f"gzip body inflates to over {MAX_INFLATED} bytes")
        pending = inflater.unconsumed_tail
        yield piece
    if not inflater.eof:
        raise NotASitemap("gzip body ends early")


def _local(tag: str) -> str:
    return tag.rsplit(":", 1)[-1]
