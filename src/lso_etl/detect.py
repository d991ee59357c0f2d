"""Which layout a page has, where its article container is, and pages that are no article.

Layouts are tried in the profile's order by their detector selector; a page no layout knows
gets the generic fallback: the element whose own paragraphs hold the most text.
"""

from __future__ import annotations

from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from lso_etl.blocks import link_ratio
from lso_etl.clean import clean_inline, strip_title_suffix
from lso_etl.fields import safe_classify, safe_join
from lso_etl.metadata import Page
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
            _drop(page.tree, layout)
            for rule in layout.body:
                node = page.tree.css_first(rule.selector)
                if node is not None:
                    return Found(page, layout, node, rule.name)
            return Found(page, layout, None, "")
    _drop(page.tree, profile.fallback)
    densest = _densest_block(page.tree)
    return Found(page, profile.fallback, densest, profile.fallback.body[0].name)


def _drop(tree: LexborHTMLParser, layout: Layout) -> None:
    """Remove furniture before reading anything: it can hold dates, links and bold text."""
    for selector in layout.drop:
        for node in tree.css(selector):
            node.decompose()


def _densest_block(tree: LexborHTMLParser) -> LexborNode | None:
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


def no_article_reason(found: Found, profile: SiteProfile, url: str) -> str | None:
    """Why a page at an article URL is no article: a soft-404 or a listing (else None)."""
    tree = found.page.tree
    body_chars = len(clean_inline(found.container.text(separator=" "))) if found.container else 0
    if body_chars >= profile.min_body_chars:
        return None
    title = tree.css_first("title")
    h1 = tree.css_first("h1")
    heads = (
        strip_title_suffix(title.text(), profile.title_suffixes) if title else "",
        clean_inline(h1.text(separator=" ")) if h1 else "",
    )
    if any(marker in head.lower() for head in heads for marker in profile.soft_404_markers):
        return "soft-404: the page says it was not found"
    unrecognised = found.container is None or found.layout is profile.fallback
    if unrecognised and _article_links(tree, url) >= profile.listing_min_links:
        return "listing page: links to articles, no article body"
    return None
