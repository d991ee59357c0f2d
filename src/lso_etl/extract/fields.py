"""One function per article field: run the profile's rules in order, say which one answered.

Each returns the value and the name of the rule that produced it, for `Article.provenance`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import urljoin

from selectolax.lexbor import LexborNode

from lso_etl.extract.blocks import text_blocks
from lso_etl.extract.bylines import parse_authors
from lso_etl.extract.clean import clean_inline, strip_title_suffix
from lso_etl.extract.dates import (
    choose_date,
    find_vn_datetime,
    is_date_line,
    parse_any_datetime,
    split_at_label,
)
from lso_etl.extract.metadata import Page, rule_values
from lso_etl.site.profile import Layout, SiteProfile
from lso_etl.site.urls import ArticleUrl, classify

_NEAR_HEADLINE = 4  # elements after <h1> searched for a date in the fallback layout
_LEAD_CANDIDATES = 3  # bold runs tried for the lead: date lines above it are skipped
BODY_DATE_LINE = "body:date-line"  # a date line the body container opened with


_TAGLINE_SEPARATORS = ("-", "–", "—", "|", ":")


def names_the_site(text: str, profile: SiteProfile) -> bool:
    """The paper's name, alone or before its tagline ("Báo Lạng Sơn – Tin tức mới nhất…"):
    a home or section page's title, never an article's headline."""
    folded = text.casefold()
    for name in profile.site_names:
        rest = folded.removeprefix(name).lstrip()
        if folded.startswith(name) and (not rest or rest.startswith(_TAGLINE_SEPARATORS)):
            return True
    return False


def headline(page: Page, layout: Layout, profile: SiteProfile) -> tuple[str, str] | None:
    for rule in layout.headline:
        for value in rule_values(page, rule):
            text = strip_title_suffix(value, profile.title_suffixes)
            if text and not names_the_site(text, profile):
                return text, rule.name
    return None


def lead(container: LexborNode, layout: Layout, labels: tuple[str, ...]) -> tuple[str | None, str]:
    """Text of the paragraph holding the first match of the layout's lead rule (a bold lead).
    A bold date line above the lead ("<p><strong>15:47 | 26/07/2017</strong></p>") is no lead."""
    for rule in layout.sapo:
        for found in container.css(rule.selector)[:_LEAD_CANDIDATES]:
            paragraph = found.parent
            blocks = text_blocks(paragraph) if paragraph is not None else []
            if blocks and is_date_line(blocks[0].text, labels):
                continue
            if paragraph is not None:
                return (blocks[0].text if blocks else None), rule.name
    return None, ""


def near_headline(page: Page, title: str) -> list[str]:
    """Texts of the elements right after the <h1> that carries the headline (not a logo's
    <h1> in the page header, whose neighbour is the header's "today")."""
    headings = (h for h in page.tree.css("h1") if clean_inline(h.text(separator=" ")) == title)
    heading = next(headings, None)
    texts: list[str] = []
    node = heading.next if heading is not None else None
    while node is not None and len(texts) < _NEAR_HEADLINE:
        if node.is_element_node:
            texts.append(clean_inline(node.text(separator=" ")))
        node = node.next
    return texts


def published(
    page: Page, layout: Layout, profile: SiteProfile, fetched_at: datetime, title: str,
    date_lines: tuple[str, ...] = (),
) -> tuple[datetime, str] | None:  # fmt: skip
    """Metadata first, then the layout's own date element, then a date line the body opened
    with; never a page-wide first date, nor the date of a "Cập nhật" (updated) label.
    The candidates are read lazily: the rules after the first good date are never queried."""
    labels = profile.modified_labels

    def candidates() -> Iterator[tuple[str, str]]:
        for rule in (*profile.metadata.published_at, *layout.published_at):
            if rule.name == "fallback:near-headline":
                texts = near_headline(page, title)
            else:
                texts = rule_values(page, rule)
            yield from ((rule.name, split_at_label(text, labels)[0]) for text in texts)
        yield from ((BODY_DATE_LINE, split_at_label(t, labels)[0]) for t in date_lines)

    return choose_date(candidates(), fetched_at)


def modified(
    page: Page, layout: Layout, profile: SiteProfile, fetched_at: datetime,
    date_lines: tuple[str, ...] = (),
) -> tuple[datetime, str] | None:  # fmt: skip
    """The <head> metadata's modification time, else a visible "Cập nhật: …" line: the
    layout's date elements, then a date line the body opened with."""
    fetched = fetched_at if fetched_at.tzinfo else fetched_at.replace(tzinfo=UTC)
    labels = profile.modified_labels
    for rule in profile.metadata.modified_at:
        for value in rule_values(page, rule):
            stamp = parse_any_datetime(value)
            if stamp is not None and stamp <= fetched:
                return stamp, rule.name
    visible = [
        (rule.name, value) for rule in layout.modified_at for value in rule_values(page, rule)
    ]
    for name, value in (*visible, *((BODY_DATE_LINE, line) for line in date_lines)):
        after = split_at_label(value, labels)[1]
        stamp = find_vn_datetime(after) if after else None
        if stamp is not None and stamp <= fetched:
            return stamp, name
    return None


def authors(
    page: Page, layout: Layout, profile: SiteProfile, bylines: list[str]
) -> tuple[tuple[str, ...], str | None]:
    """Metadata authors, else the layout's byline element, else the body's trailing byline.
    An "author" that is the paper itself ("Báo Lạng Sơn", "Minh Đức - Báo Lạng Sơn") is no
    person, and is dropped."""
    for rule in (*profile.metadata.authors, *layout.byline):
        # Every value of the rule: JSON-LD lists one Person per author.
        parsed = (n for value in rule_values(page, rule) for n in parse_authors(value))
        people = (n for n in parsed if not n.casefold().startswith(profile.site_names))
        names = tuple(dict.fromkeys(people))
        if names:
            return names, rule.name
    names = tuple(n for line in bylines for n in parse_authors(line))
    return (tuple(dict.fromkeys(names)), "body:trailing-byline") if names else ((), None)


def _origin(url: str) -> str | None:
    """The scheme and host ("https://baolangson.vn") of an absolute http(s) URL, else None."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in ("http", "https"):
        return None
    host = rest.split("/", 1)[0]
    plain = host.replace(".", "").replace("-", "").replace(":", "")  # name or IPv4, and port
    return f"{scheme}://{host}" if plain.isascii() and plain.isalnum() else None


def _plain_path(href: str) -> bool:
    """Letters, digits and / - _ . % only: nothing that urljoin would read or rewrite."""
    rest = href.replace("/", "").replace("-", "").replace("_", "").replace(".", "")
    return not rest or rest.replace("%", "").isalnum()


def safe_join(base: str, href: str) -> str | None:
    """urljoin that answers None on a malformed address ("http://[::1") instead of raising.
    A root-relative path or an absolute http(s) URL without dot segments or a query (most
    image and link addresses) is joined by hand: urljoin takes ~10 µs a call."""
    if href[:1] == "/" and href[1:2] != "/" and "/." not in href and _plain_path(href):
        origin = _origin(base)
        if origin is not None:
            return origin + href
    absolute = href.startswith(("http://", "https://")) and _origin(base) is not None
    origin = _origin(href) if absolute else None  # (urljoin rejects a malformed base anyway)
    path = href[len(origin) :] if origin is not None else ""
    if origin is not None and path[:1] in ("", "/") and "/." not in path and _plain_path(path):
        return href  # already absolute, and nothing in it for urljoin to rewrite
    try:
        return urljoin(base, href)
    except ValueError:
        return None


def safe_classify(url: str | None) -> ArticleUrl | None:
    try:
        return classify(url) if url else None
    except ValueError:
        return None


def canonical_url(page: Page, profile: SiteProfile, ident: ArticleUrl, url: str) -> tuple[str, str]:
    """The canonical link when it names the same article (its slug may differ), else the
    canonical form of the fetched URL (whatever host served it)."""
    for href in rule_values(page, profile.metadata.canonical):
        linked = safe_classify(safe_join(url, href))
        if linked is not None and linked.article_id == ident.article_id:
            return linked.canonical, profile.metadata.canonical.name
    return ident.canonical, "url:classify"


def absolute_images(
    images: list[tuple[str, str | None]], base: str
) -> tuple[tuple[str, str | None], ...]:
    """Image addresses made absolute against the article URL, each once, in page order."""
    seen: dict[str, str | None] = {}
    for src, caption in images:
        absolute = safe_join(base, src)
        if absolute and absolute.startswith(("http://", "https://")) and absolute not in seen:
            seen[absolute] = caption
    return tuple(seen.items())
