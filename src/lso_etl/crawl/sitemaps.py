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

from pyexpat import ExpatError, ParserCreate

from lso_etl.crawl.listings import iso_date
from lso_etl.models import Entry

PIECE = 64 * 1024  # bytes handed to expat at a time
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
    view = memoryview(xml)
    try:
        for start in range(0, len(view), PIECE):
            parser.Parse(view[start : start + PIECE].tobytes(), False)
        parser.Parse(b"", True)
    except ExpatError as exc:
        raise NotASitemap(f"not well-formed XML ({exc})") from None
    if entries.root is None:
        raise NotASitemap("no root element")
    return entries.children, entries.pages


def _local(tag: str) -> str:
    return tag.rsplit(":", 1)[-1]
