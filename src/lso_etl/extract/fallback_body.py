"""The fallback layout's body container, chosen by trafilatura instead of the densest <p>s.

A page that matches none of the site's layouts (a redesign, a copy on another site) used to
get the element whose own paragraphs hold the most text. On pages in foreign layouts that
misses bodies split over several elements, bodies written as <div>s or lists, and takes
comments or a "most read" box when they outweigh a short article (bench/RESULTS.md, "Parse:
fallback on foreign layouts"). trafilatura's main-content detection does better there, so the fallback
asks it for the article's HTML, and our own walk, caption, lead, byline and Vietnamese
cleaning rules then run on that HTML exactly as on a known layout's container. Metadata,
dates, section and headline still come from the whole page (`lso_etl.extract.fields`).

trafilatura is imported here, on first use: pages the site's layouts recognise never load it
(it and lxml take 0.2–0.6 s to import). It is given the page's markup as a string and never a
URL, so it fetches nothing; extract stays pure.
"""

from __future__ import annotations

from dataclasses import replace
from html import escape

from selectolax.lexbor import LexborHTMLParser, LexborNode

from lso_etl.extract.bylines import is_byline
from lso_etl.extract.clean import clean_inline, split_source
from lso_etl.extract.dates import find_vn_datetime
from lso_etl.extract.decode import decode_page
from lso_etl.extract.detect import Found
from lso_etl.models import RawPage

TRAFILATURA_RULE = "fallback:trafilatura"  # the fallback layout's body rule asking for it
DENSEST_RULE = "fallback:densest-p"  # what the body falls back to when trafilatura finds none
_HEADINGS = "h1, h2, h3"
_IMG_SOURCES = ("src", "data-src", "data-original")
_TRAILING = 3  # elements after the body's last paragraph searched for a byline
_DATE_LINE_AT_MOST = 2  # leading elements that may be a date line
_DATE_LINE_CHARS = 80


def main_content_html(markup: str) -> str | None:
    """trafilatura's main content of a page as HTML (paragraphs, headings, lists, tables,
    images, bold and italic kept), or None when it finds none. Comments are not the body."""
    import trafilatura  # lazy: see the module docstring

    return trafilatura.extract(
        markup,
        output_format="html",
        include_comments=False,
        include_tables=True,
        include_images=True,
        include_formatting=True,
        include_links=True,  # our furniture rules read link density ("Xem thêm: <a>…")
        deduplicate=False,  # its cache outlives the call: a page's result would depend on
        # which pages were parsed before it in the same process
    )


def _headline_cell(body: LexborNode, headline: str) -> LexborNode:
    """Where the article starts in trafilatura's HTML: its title heading is removed (the record
    has the headline apart), and when that heading sits in a table cell, trafilatura kept a
    layout table (navigation, text and news columns as cells): the article is that cell."""
    wanted = clean_inline(headline).casefold()
    for heading in body.css(_HEADINGS):
        if _text(heading).casefold() == wanted:
            cell = heading.parent
            while cell is not None and cell.tag != "td" and cell.mem_id != body.mem_id:
                cell = cell.parent
            heading.decompose()
            return cell if cell is not None and cell.tag == "td" else body
    return body


def _drop_date_lines(container: LexborNode) -> None:
    """A short line holding a date before the text ("09/05/2025 09:45 · Lan Anh") is the
    page's date line, read as published_at from the page; it is not article text. A lead
    sentence with a date in it ("Ngày 15/8/2025, tỉnh ... .") ends like a sentence: kept."""
    for child in [c for c in container.iter() if c.is_element_node][:_DATE_LINE_AT_MOST]:
        text = _text(child)
        sentence = text.endswith((".", "!", "?", "…"))
        if len(text) > _DATE_LINE_CHARS or sentence or find_vn_datetime(text) is None:
            return
        child.decompose()


def _fragment(html: str, tag: str) -> LexborNode | None:
    return LexborHTMLParser(html).css_first(tag)


def _text(node: LexborNode) -> str:
    return clean_inline(node.text(separator=" "))


def _restore_captions(body: LexborNode, page: LexborHTMLParser) -> None:
    """trafilatura keeps a figure's image but drops its <figcaption>: put the page's back,
    so the caption leaves the body as a caption, as on a known layout."""
    captions: dict[str, str] = {}
    for figure in page.css("figure"):
        caption = figure.css_first("figcaption")
        text = _text(caption) if caption is not None else ""
        for img in figure.css("img") if text else ():
            for attr in _IMG_SOURCES:
                captions.setdefault((img.attributes.get(attr) or "").strip(), text)
    captions.pop("", None)
    for img in body.css("img"):
        said = captions.get((img.attributes.get("src") or "").strip())
        if said:
            held = _fragment(f"<figure>{img.html}<figcaption>{escape(said)}</figcaption>", "figure")
            if held is not None:
                img.replace_with(held)


def _restore_byline(body: LexborNode, page: LexborHTMLParser) -> None:
    """trafilatura drops an author line ("HOÀNG NHƯ", class "author") after the text; put
    back the byline or source lines that follow the body's last paragraph on the page, for
    the byline rules (lso_etl.extract.body) to take them out of the body as authors."""
    paragraphs = body.css("p")
    last = _text(paragraphs[-1]) if paragraphs else ""
    same = (p for p in reversed(page.css("p")) if last and _text(p) == last)
    sibling, seen = (match.next if (match := next(same, None)) else None), 0
    while sibling is not None and seen < _TRAILING:
        if sibling.is_element_node:
            seen += 1
            text = _text(sibling)
            if not (is_byline(text) or split_source(text)):
                return
            line = _fragment(f"<p>{escape(text)}</p>", "p")
            if line is not None:
                body.insert_child(line)
        sibling = sibling.next


def main_content(
    markup: str, headline: str, page: LexborHTMLParser | None = None
) -> LexborNode | None:
    """trafilatura's article HTML (its <body>, or the layout-table cell of the headline), the
    title heading and date line removed, the captions and byline of the `page` (our tree of
    the same markup) restored; None if empty."""
    html = main_content_html(markup)
    if not html:
        return None
    body = LexborHTMLParser(html).body
    if body is None:
        return None
    container = _headline_cell(body, headline)
    _drop_date_lines(container)
    if page is not None:
        _restore_captions(container, page)
        _restore_byline(container, page)
    return container if container.text(strip=True) else None


def prefer_trafilatura(found: Found, page: RawPage, headline: str) -> Found:
    """The fallback's container from trafilatura when the layout's body rule asks for it.

    Any other layout, or a fallback whose rule names another method, is returned unchanged.
    trafilatura reads the page as served (its own boilerplate cues include the <nav>, <aside>
    and <form> elements that our furniture drop removed from `found.page.tree`), decoded by
    our rules so a cp1258 or mislabelled page reaches it as the same text we read.
    """
    if found.body_rule != TRAFILATURA_RULE:
        return found
    markup, _ = decode_page(page.content, page.headers)
    container = main_content(markup, headline, found.page.tree)
    if container is None:
        return replace(found, body_rule=DENSEST_RULE)  # the densest block detect found
    return replace(found, container=container)
