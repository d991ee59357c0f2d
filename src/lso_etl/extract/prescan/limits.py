"""A linear pre-scan of a page's bytes that refuses markup too costly to build a tree of.

Lexbor (selectolax) builds some shapes of markup in quadratic time or memory: 100,000 nested
`<div>`s take ~24 s, 20,000 `<option>`s in a `<select>` ~3 s, and ten kilobytes of unclosed
`<b id=…>` before a run of `<p>x` make it re-open every one of them in every paragraph (a
million nodes). A parse cannot be interrupted once it has started, so the bytes are scanned
first, tag by tag, through a rough model of the tree builder (`treemodel`) that errs towards
counting more. The limits sit far above any real article page: golden and replay pages
(padded to the real site's ~150 KB) nest at most 11 deep and make at most ~1,700 elements.
"""

from __future__ import annotations

import re

from lso_etl.extract.prescan.treemodel import TreeModel

# Real article pages nest a few dozen levels, but an unclosed <strong> in every paragraph nests
# one more per paragraph (5,000 paragraphs: 5,004 deep). Depth is slow only through the walks
# MAX_WALK bounds; this caps the stack the scan itself keeps (Lexbor: 8,190 nested divs, 0.04 s).
MAX_DEPTH = 8_192
# Elements the builder creates, each formatting element it re-opens included.
MAX_ELEMENTS = 100_000
# Tags of any kind, end tags included: each costs the scan itself a microsecond or two.
MAX_TAGS = 2 * MAX_ELEMENTS
# Stack entries visited to place tags (well-formed pages: about one per tag).
MAX_WORK = 10 * MAX_TAGS
# Stack entries Lexbor's own scope walks may visit (`treemodel.TreeModel.walk`), counted without
# visiting them: a real page charges ~20 a tag. Measured at this limit, Lexbor takes 0.04-0.11 s
# on the worst shapes found (8,000 nested spans then 8,495 stray `</em>`; 2,000 then 48,948;
# 8,161 paragraphs each opening an unclosed <b>); past it they grow quadratically (60,000 such
# paragraphs: ~16 s; 8,000 then 190,000 stray end tags: 2.6 s).
MAX_WALK = 100_000_000
# Lexbor's <select> handling is quadratic in its options; a real page lists a few dozen.
MAX_OPTIONS = 2_000
# Attributes on one element: duplicate-name checks are quadratic; real tags carry < 20.
MAX_ATTRIBUTES = 256
_ATTRIBUTE_SCAN_FROM = 1_024  # bytes of a tag below which it cannot hold that many attributes

# One token per match, each alternative ending at its terminator or at the end of the input,
# so no match ever fails after scanning ahead (which would make the scan quadratic).
_TOKEN = re.compile(
    rb"<!--(?:-?>|.*?(?:--!?>|\Z))"  # a comment, including the abrupt <!--> and <!--->
    rb"|<[!?][^>]*(?:>|\Z)"  # doctype, bogus comment
    rb"|<(/?)([A-Za-z][^\s/>]*)"  # a tag: end mark, name, then attributes (quotes honoured)
    rb"((?>[^>=]+|=\s*\"[^\"]*(?:\"|\Z)|=\s*'[^']*(?:'|\Z)|=)*)(?:>|\Z)",
    re.DOTALL,
)
_VALUE = re.compile(rb"=\s*(?:\"[^\"]*\"?|'[^']*'?|[^\s>]*)")
_RAW_TEXT = frozenset(
    (b"script", b"style", b"textarea", b"title", b"xmp", b"iframe", b"noembed", b"noframes")
)
PREFIX = "page too complex to parse: "


def _over(tree: TreeModel) -> str | None:
    depth = len(tree.stack)
    within = depth <= MAX_DEPTH and tree.nodes <= MAX_ELEMENTS and tree.work <= MAX_WORK
    if within and tree.options <= MAX_OPTIONS and tree.walk <= MAX_WALK:
        return None  # checked first and at once: this runs for every tag
    if depth > MAX_DEPTH:
        return f"elements nested over {MAX_DEPTH} deep"
    if tree.nodes > MAX_ELEMENTS:
        return f"over {MAX_ELEMENTS} elements (unclosed formatting tags re-opened included)"
    if tree.work > MAX_WORK:
        return f"misnested tags: over {MAX_WORK} steps to place them"
    if tree.options > MAX_OPTIONS:
        return f"over {MAX_OPTIONS} <option> elements"
    return f"elements nested too deep for their number: over {MAX_WALK} steps to build"


def too_complex(content: bytes) -> str | None:
    """Why the page's markup is too costly to parse (None when it is not)."""
    tree = TreeModel()
    position = tags = 0
    while (token := _TOKEN.search(content, position)) is not None:
        if token.start() > position:
            tree.text()
        position = token.end()
        closing, name, attributes = token.groups()
        if name is None:
            continue  # a comment or doctype
        tags += 1
        if tags > MAX_TAGS:
            return f"{PREFIX}over {MAX_TAGS} tags"
        if len(attributes) > _ATTRIBUTE_SCAN_FROM and _attributes(attributes) > MAX_ATTRIBUTES:
            return f"{PREFIX}an element with over {MAX_ATTRIBUTES} attributes"
        name = name.lower()
        if closing:
            tree.end(name)
        elif tree.start(name, attributes.endswith(b"/"), attributes):
            if name in _RAW_TEXT:
                position = _raw_text_end(content, position, name)
            elif name == b"plaintext":
                break  # the rest of the page is text
        reason = _over(tree)
        if reason is not None:
            return PREFIX + reason
    return None


def _attributes(text: bytes) -> int:
    return len(_VALUE.sub(b" ", text).split())


def _raw_text_end(content: bytes, position: int, name: bytes) -> int:
    """Where the text of a <script> (or <style>, <title>, ...) ends: its end tag, or the page's."""
    end = re.compile(rb"</" + name + rb"[\s/>]", re.IGNORECASE).search(content, position)
    return end.start() if end is not None else len(content)
