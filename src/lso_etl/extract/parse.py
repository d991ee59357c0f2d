"""HTML page → `ParseResult`: decode, recognise the layout, extract, clean. Pure and total.

The pipeline calls `parse_page(page)` and `record(result, url)`; nothing here does I/O. Which
selectors to use is data (`lso_etl.site.profile`); which rule produced each field is kept in
`Article.provenance`, so a layout change on the site shows up as a different rule or a gap.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from selectolax.lexbor import LexborHTMLParser, LexborNode

from lso_etl.extract import fallback_body, fields, taxonomy
from lso_etl.extract.blocks import walk
from lso_etl.extract.body import Assembled, assemble
from lso_etl.extract.clean import content_hash, garbled_reason, word_count
from lso_etl.extract.decode import header, parser_input
from lso_etl.extract.detect import Found, detect, no_article_reason
from lso_etl.extract.metadata import Page, read_jsonld
from lso_etl.extract.prescan.limits import too_complex
from lso_etl.models import Article, ParseResult, RawPage, Status
from lso_etl.site.profile import PROFILE, SiteProfile
from lso_etl.site.urls import ArticleUrl

PARSER_VERSION = "0.1.0"

RECORD_KEYS = (
    "status", "reason", "article_id", "url", "headline", "sapo", "dateline", "body", "authors",
    "source", "captions", "images", "published_at", "modified_at", "section", "subsection",
    "tags", "layout", "provenance", "word_count", "content_hash", "parser_version",
)  # fmt: skip


def _not_article(reason: str) -> ParseResult:
    return ParseResult(status=Status.NOT_ARTICLE, reason=reason)


def _failed(reason: str) -> ParseResult:
    return ParseResult(status=Status.FAILED, reason=reason)


def parse_page(page: RawPage, profile: SiteProfile = PROFILE) -> ParseResult:
    """Parse one fetched page. Never raises: any page yields ok, not_article or failed."""
    try:
        return parse_page_strict(page, profile)
    except Exception as exc:  # last line of a total function; the property tests call the
        # strict version directly, so a bug still fails a test instead of hiding here.
        return _failed(f"parser error: {type(exc).__name__}: {exc}")


def parse_page_strict(page: RawPage, profile: SiteProfile = PROFILE) -> ParseResult:
    ident = fields.safe_classify(page.url)
    if ident is None:
        return _not_article("not an article URL")
    bad_response = _check_response(page)
    if bad_response is not None:
        return bad_response
    source, encoding = parser_input(page.content, page.headers)
    # Checked before the tree is built: once Lexbor starts, nothing can stop it. Bytes for
    # both: Lexbor would encode a str to UTF-8 again after the pre-scan had.
    data = source if isinstance(source, bytes) else source.encode()
    hostile = too_complex(data)
    if hostile is not None:
        return _failed(hostile)
    tree = LexborHTMLParser(data)
    found = replace(detect(Page(tree, read_jsonld(tree)), profile), encoding=encoding)
    reason = no_article_reason(found, profile, page.url)
    if reason is not None:
        return _not_article(reason)
    return _extract(found, profile, page, ident)


def _check_response(page: RawPage) -> ParseResult | None:
    if page.status in (404, 410):
        return _not_article(f"HTTP {page.status}")
    if not 200 <= page.status < 300:
        return _failed(f"HTTP {page.status}")
    content_type = header(page.headers, "content-type").lower()
    if content_type and "html" not in content_type:
        return _not_article(f"not an HTML page ({content_type.split(';')[0]})")
    if not page.content.strip():
        return _failed("empty response")
    return None


def _inside(node: LexborNode, container: LexborNode) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.mem_id == container.mem_id:
            return True
        parent = parent.parent
    return False


def _body_parts(
    found: Found, container: LexborNode, headline: str, labels: tuple[str, ...]
) -> Assembled:
    layout = found.layout
    blocks = walk(container, layout.captions)
    # Galleries may sit outside the text container; only their images are taken, after the
    # body's own. A gallery inside the container (or holding it) was walked already.
    for rule in layout.galleries:
        for gallery in found.page.tree.css(rule.selector):
            nested = _inside(gallery, container) or _inside(container, gallery)
            if gallery.mem_id != container.mem_id and not nested:
                blocks += [b for b in walk(gallery, layout.captions) if b.kind == "image"]
    lead, lead_rule = fields.lead(container, layout, labels)
    return assemble(blocks, headline, lead, lead_rule, labels)


def _extract(found: Found, profile: SiteProfile, page: RawPage, ident: ArticleUrl) -> ParseResult:
    head = fields.headline(found.page, found.layout, profile)
    if head is None:
        return _not_article("no headline")
    found = fallback_body.prefer_trafilatura(found, page, head[0])
    if found.container is None:
        return _failed(f"no article body: {found.layout.name} layout without its container")
    parts = _body_parts(found, found.container, head[0], profile.modified_labels)
    body = "\n\n".join(p for p in parts.paragraphs if p)  # each one cleaned already (blocks)
    if not body:
        return _failed("no body text")
    size = len(body) + len(parts.sapo or "")
    if size < profile.min_body_chars:
        return _failed(f"body too short: {size} characters")
    garbled = garbled_reason(f"{head[0]}\n{parts.sapo or ''}\n{body}")
    if garbled:
        return _failed(garbled)
    article = _article(found, profile, page, ident, head, parts, body)
    return ParseResult(status=Status.OK, article=article, reason=None)


def _parts_provenance(parts: Assembled, images: bool) -> dict[str, str | None]:
    return {
        "sapo": parts.sapo_rule if parts.sapo else None,
        "dateline": "lead:dateline" if parts.dateline else None,
        "source": "body:source-line" if parts.source else None,
        "captions": "+".join(parts.caption_rules) if parts.captions else None,
        "images": "body:img" if images else None,
    }


@dataclass(frozen=True)
class _PageFacts:
    """Fields read from the page around the body (metadata, date, byline element, crumbs)."""

    url: str
    authors: tuple[str, ...]
    published_at: datetime | None
    modified_at: datetime | None
    section: str | None
    subsection: str | None
    tags: tuple[str, ...]
    rules: dict[str, str | None]  # provenance of each of these fields


def _page_facts(
    found: Found, profile: SiteProfile, page: RawPage, ident: ArticleUrl, headline: str,
    parts: Assembled,
) -> _PageFacts:  # fmt: skip
    doc, layout, lines = found.page, found.layout, parts.date_lines
    url, url_rule = fields.canonical_url(doc, profile, ident, page.url)
    authors, authors_rule = fields.authors(doc, layout, profile, parts.bylines)
    date = fields.published(doc, layout, profile, page.fetched_at, headline, lines)
    changed = fields.modified(doc, layout, profile, page.fetched_at, lines)
    section, subsection = taxonomy.sections(doc, layout, profile, ident.path, headline)
    tags, tags_rule = taxonomy.tags(doc, layout, profile)
    rules = {
        "url": url_rule,
        "authors": authors_rule,
        "published_at": date[1] if date else None,
        "modified_at": changed[1] if changed else None,
        "section": section[1] if section else None,
        "subsection": subsection[1] if subsection else None,
        "tags": tags_rule,
    }
    return _PageFacts(
        url, authors, date[0] if date else None, changed[0] if changed else None,
        section[0] if section else None, subsection[0] if subsection else None, tags, rules,
    )  # fmt: skip


def _article(
    found: Found,
    profile: SiteProfile,
    page: RawPage,
    ident: ArticleUrl,
    head: tuple[str, str],
    parts: Assembled,
    body: str,
) -> Article:
    facts = _page_facts(found, profile, page, ident, head[0], parts)
    images = fields.absolute_images(parts.images, facts.url)
    provenance = {
        "url": None,  # placeholder: keeps "url" first; its rule comes with the other facts
        "encoding": found.encoding,
        "headline": head[1],
        "body": found.body_rule,
        **_parts_provenance(parts, bool(images)),
        **facts.rules,
    }
    return Article(
        article_id=ident.article_id,
        url=facts.url,
        headline=head[0],
        sapo=parts.sapo,
        dateline=parts.dateline,
        body=body,
        authors=facts.authors,
        source=parts.source,
        captions=tuple(parts.captions),
        published_at=facts.published_at,
        section=facts.section,
        subsection=facts.subsection,
        layout=found.layout.name,
        provenance={k: v for k, v in provenance.items() if v},
        word_count=word_count(parts.sapo, body),
        content_hash=content_hash(head[0], parts.sapo, body),
        parser_version=PARSER_VERSION,
        images=images,
        modified_at=facts.modified_at,
        tags=facts.tags,
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def record(result: ParseResult, url: str) -> dict[str, object]:
    """The JSON-ready record of a result, keys in `RECORD_KEYS` order. A page that gave no
    article still gets every key (article fields null or empty), so the output has one shape."""
    article = result.article
    if article is None:
        ident = fields.safe_classify(url)
        empty: dict[str, object] = dict.fromkeys(RECORD_KEYS)
        empty |= {"authors": [], "captions": [], "images": [], "tags": [], "provenance": {}}
        return empty | {
            "status": result.status.value,
            "reason": result.reason,
            "article_id": ident.article_id if ident else None,
            "url": ident.canonical if ident else url,  # canonical whenever it is an article URL
            "parser_version": PARSER_VERSION,
        }
    return {
        "status": result.status.value,
        "reason": result.reason,
        "article_id": article.article_id,
        "url": article.url,
        "headline": article.headline,
        "sapo": article.sapo,
        "dateline": article.dateline,
        "body": article.body,
        "authors": list(article.authors),
        "source": article.source,
        "captions": list(article.captions),
        "images": [{"src": src, "caption": caption} for src, caption in article.images],
        "published_at": _iso(article.published_at),
        "modified_at": _iso(article.modified_at),
        "section": article.section,
        "subsection": article.subsection,
        "tags": list(article.tags),
        "layout": article.layout,
        "provenance": dict(article.provenance),
        "word_count": article.word_count,
        "content_hash": article.content_hash,
        "parser_version": article.parser_version,
    }
