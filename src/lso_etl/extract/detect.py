"""Which layout a page has, where its article container is, and pages that are no article.

Layouts are tried in the profile's order by their detector selector; a page no layout knows
gets the generic fallback: the element whose own paragraphs hold the most text (its body is
then asked of trafilatura, `fallback_body`; this block stays for the listing checks and as the
body when trafilatura finds none).
"""

from __future__ import annotations

from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from lso_etl.extract.blocks import link_ratio
from lso_etl.extract.clean import clean_inline, strip_title_suffix
from lso_etl.extract.fields import safe_classify, safe_join
from lso_etl.extract.metadata import Page
from lso_etl.site.profile import Layout, SiteProfile

_LINK_DENSE = 0.5


@dataclass(frozen=True)
class Found:
    """The page after layout detection: which layout, its article container and rule."""

    page: Page
    layout: Layout
    container: LexborNode | None
    body_rule: str
    encoding: str = ""  # how the bytes were decoded ("header:utf-8", "meta:cp1258", ...)


def detect(page: Page, profile: SiteProfile) -> Found:
    """The first layout whose detector matches, else the generic fallback (densest <p>s)."""
    for layout in profile.layouts:
        if page.tree.css_first(layout.detector) is not None:
            drop_furniture(page.tree, layout)
            for rule in layout.body:
                node = page.tree.css_first(rule.selector)
                if node is not None:
                    return Found(page, layout, node, rule.name)
            return Found(page, layout, None, "")
    drop_furniture(page.tree, profile.fallback)
    densest = densest_block(page.tree)
    return Found(page, profile.fallback, densest, profile.fallback.body[0].name)


def drop_furniture(tree: LexborHTMLParser, layout: Layout) -> None:
    """Remove furniture before reading anything: it can hold dates, links and bold text.

    One query for all the selectors (each query walks the whole ~150 KB page). Its matches
    come in document order, where a node's descendants follow it: removing them last-first
    destroys every descendant before its ancestor, so no match is touched after being freed.
    """
    if layout.drop:
        for node in reversed(tree.css(", ".join(layout.drop))):
            node.decompose()


def densest_block(tree: LexborHTMLParser) -> LexborNode | None:
    """The element whose own <p> children hold the most text that is not links."""
    scores: dict[int, tuple[int, LexborNode]] = {}
    for paragraph in tree.css("p"):
        parent = paragraph.parent
        if parent is None or link_ratio(paragraph) > _LINK_DENSE:
            continue
        size = len(clean_inline(paragraph.text(separator=" ")))
        score, _ = scores.get(parent.mem_id, (0, parent))
        scores[parent.mem_id] = (score + size, parent)
    return max(scores.values(), key=lambda item: item[0])[1] if scores else None


def _article_links(tree: LexborHTMLParser, url: str) -> int:
    hrefs = (a.attributes.get("href") or "" for a in tree.css("a[href]"))
    found = (safe_classify(safe_join(url, h)) for h in hrefs)
    return len({ident.article_id for ident in found if ident is not None})


def _paragraphs(container: LexborNode | None) -> int:
    if container is None:
        return 0
    return sum(1 for child in container.iter() if child.tag == "p" and child.text(strip=True))


def _says_not_found(tree: LexborHTMLParser, profile: SiteProfile) -> bool:
    title = tree.css_first("title")
    h1 = tree.css_first("h1")
    heads = (
        strip_title_suffix(title.text(), profile.title_suffixes) if title else "",
        clean_inline(h1.text(separator=" ")) if h1 else "",
    )
    return any(marker in head.lower() for head in heads for marker in profile.soft_404_markers)


def no_article_reason(found: Found, profile: SiteProfile, url: str) -> str | None:
    """Why a page at an article URL is no article: a soft-404 or a listing (else None)."""
    tree = found.page.tree
    known = found.container is not None and found.layout is not profile.fallback
    says_not_found = _says_not_found(tree, profile)
    if known and not says_not_found:
        return None  # a known layout's container: an article, or a failed parse of one
    # A size check: the raw text's length is enough (cleaning it all costs a page's worth).
    raw = found.container.text(separator=" ") if found.container else ""
    short = len(" ".join(raw.split())) < profile.min_body_chars
    if short and says_not_found:
        return "soft-404: the page says it was not found"
    if known:
        return None
    # A home page served at a removed article's URL: its densest block is one story summary,
    # which can be long enough to pass for a body.
    thin = short or _paragraphs(found.container) <= profile.listing_max_paragraphs
    if thin and _article_links(tree, url) >= profile.listing_min_links:
        return "listing page: links to articles, no article body"
    return None
