"""The article container as a flat list of blocks: text paragraphs and image holders.

Walking block elements ourselves (instead of `node.text()`) keeps paragraph boundaries
("…năm 1965.Bức ảnh…" is what gluing gives) and lets each paragraph carry what the cleaning
rules need: how much of it is bold, italic or link text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from selectolax.lexbor import LexborNode

from lso_etl.extract.clean import FURNITURE_MARKERS, clean_inline
from lso_etl.site.profile import Rule

BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "main",
        "aside",
        "header",
        "footer",
        "nav",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "td",
        "th",
        "figure",
        "figcaption",
        "blockquote",
        "pre",
        "center",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "address",
    ]
)
SKIP_TAGS = frozenset(
    ["script", "style", "noscript", "template", "iframe", "object", "svg", "form", "button"]
)
_CELLS = frozenset(("td", "th"))
_BOLD = frozenset(("strong", "b"))
_ITALIC = frozenset(("em", "i"))
_LINK_DENSE = 0.5
_MAX_CAPTION_NEXT_TO_IMAGE = 300  # longer text beside an image is a paragraph, not a caption
# Real pages nest a few dozen levels; deeper (hostile or broken) markup is read as plain text
# instead of recursing without bound.
MAX_DEPTH = 100


@dataclass(frozen=True)
class Block:
    kind: Literal["text", "image"]
    text: str  # cleaned; for an image block its caption ("" if none)
    bold: float = 0.0  # share of the text inside <strong>/<b>
    italic: float = 0.0
    link: float = 0.0
    images: tuple[tuple[str, str], ...] = ()  # (src as written, alt)
    caption_rule: str | None = None  # which rule found the caption of an image block


@dataclass
class _Line:
    parts: list[str]
    chars: int = 0
    bold: int = 0
    italic: int = 0
    link: int = 0

    def block(self) -> Block | None:
        text = clean_inline("".join(self.parts))
        if not text:
            return None
        n = max(self.chars, 1)
        return Block("text", text, self.bold / n, self.italic / n, self.link / n)


def _visible(text: str) -> int:
    """Characters of a text that are not white space, counted at C speed (no Python loop).
    Printable text has no white space but the plain space: counting those is enough."""
    if text.isprintable():
        return len(text) - text.count(" ")
    return len("".join(text.split()))


def _inline_lines(
    node: LexborNode, flags: frozenset[str], lines: list[_Line], depth: int = 0
) -> None:
    """Text of an element, split into lines at <br>, counting bold/italic/link characters."""
    if depth > MAX_DEPTH:
        lines[-1].parts.append(node.text(separator=" "))
        return
    for child in node.iter(include_text=True):
        tag = child.tag or ""
        if child.is_text_node:
            text = child.text_content or ""
            n = _visible(text)
            line = lines[-1]
            line.parts.append(text)
            line.chars += n
            line.bold += n if flags & _BOLD else 0
            line.italic += n if flags & _ITALIC else 0
            line.link += n if "a" in flags else 0
        elif tag == "br":
            lines.append(_Line([]))
        elif child.is_element_node and tag not in SKIP_TAGS:
            _inline_lines(child, flags | {tag}, lines, depth + 1)


def text_blocks(node: LexborNode) -> list[Block]:
    lines = [_Line([])]
    _inline_lines(node, frozenset(), lines)
    return [b for b in (line.block() for line in lines) if b is not None]


def link_ratio(node: LexborNode) -> float:
    """Share of an element's visible characters that sit inside links (0 with no text)."""
    lines = [_Line([])]
    _inline_lines(node, frozenset(), lines)
    chars = sum(line.chars for line in lines)
    return sum(line.link for line in lines) / chars if chars else 0.0


def _has_block_child(node: LexborNode) -> bool:
    return any(child.tag in BLOCK_TAGS for child in node.iter())


def _img_src(img: LexborNode) -> str:
    # Lazy-loading pages keep the real address in data-src and a placeholder in src.
    for attr in ("data-src", "data-original", "src"):
        value = (img.attributes.get(attr) or "").strip()
        if value and not value.startswith("data:"):
            return value
    return ""


def _image_block(holder: LexborNode, captions: tuple[Rule, ...]) -> list[Block]:
    images = tuple(
        (src, clean_inline(img.attributes.get("alt") or ""))
        for img in holder.css("img")
        if (src := _img_src(img))
    )
    for rule in captions:
        found = holder.css_first(rule.selector)
        text = clean_inline(found.text(separator=" ")) if found else ""
        if text:
            return [Block("image", text, images=images, caption_rule=rule.name)]
    # No caption element: the holder's own text beside the image is its caption when short
    # (table cells without the image, "<p><img> Toàn cảnh hội nghị</p>").
    texts = text_blocks(holder)
    joined = clean_inline(" ".join(b.text for b in texts))
    if joined and (holder.tag in ("table", "figure") or len(joined) <= _MAX_CAPTION_NEXT_TO_IMAGE):
        return [Block("image", joined, images=images, caption_rule="html:text-beside-img")]
    return [Block("image", "", images=images), *texts]


def _is_furniture_container(node: LexborNode) -> bool:
    """A box of links ("Tin liên quan" + list) inside the article: over half link text, or
    headed by a related-links phrase."""
    if node.css_first("a") is not None and link_ratio(node) > _LINK_DENSE:
        return True
    first = text_blocks(node)[:1]
    return bool(first) and first[0].text.lower().rstrip(" :") in FURNITURE_MARKERS


def _children(node: LexborNode, tags: frozenset[str]) -> list[LexborNode]:
    return [child for child in node.iter() if child.tag in tags]


def _table_blocks(table: LexborNode) -> list[Block]:
    """One paragraph per row of a data table, cells joined by " | ". Only the table's own rows
    and cells: a nested table is text inside its cell (and no quadratic walk of descendants)."""
    sections = _children(table, frozenset(("thead", "tbody", "tfoot")))
    rows = [r for part in (table, *sections) for r in _children(part, frozenset(("tr",)))]
    blocks = []
    for row in rows:
        cells = (clean_inline(c.text(separator=" ")) for c in _children(row, _CELLS))
        text = " | ".join(c for c in cells if c)
        if text:
            blocks.append(Block("text", text, link=link_ratio(row)))
    return blocks


def _flush(lines: list[_Line]) -> list[Block]:
    return [b for b in (line.block() for line in lines) if b is not None]


def _is_holder(child: LexborNode) -> bool:
    tag = child.tag or ""
    return tag in BLOCK_TAGS or tag == "img" or child.css_first("img") is not None


def walk(container: LexborNode, captions: tuple[Rule, ...], depth: int = 0) -> list[Block]:
    """Blocks of a container in document order; inline runs between blocks are paragraphs."""
    if depth > MAX_DEPTH:
        return text_blocks(container)
    blocks: list[Block] = []
    lines = [_Line([])]
    for child in container.iter(include_text=True):
        tag = child.tag or ""
        if child.is_element_node and _is_holder(child):
            blocks.extend(_flush(lines))
            lines = [_Line([])]
            blocks.extend(_child_blocks(child, captions, depth))
        elif child.is_text_node:
            _inline_lines_text(child, lines)
        elif tag == "br":
            lines.append(_Line([]))
        elif child.is_element_node and tag not in SKIP_TAGS:
            _inline_lines(child, frozenset({tag}), lines)
    blocks.extend(_flush(lines))
    return blocks


def _inline_lines_text(node: LexborNode, lines: list[_Line]) -> None:
    text = node.text_content or ""
    lines[-1].parts.append(text)
    lines[-1].chars += _visible(text)


def _child_blocks(child: LexborNode, captions: tuple[Rule, ...], depth: int) -> list[Block]:
    tag = child.tag or ""
    if tag in SKIP_TAGS:
        return []
    if tag == "img":
        src = _img_src(child)
        alt = clean_inline(child.attributes.get("alt") or "")
        return [Block("image", "", images=((src, alt),))] if src else []
    has_img = child.css_first("img") is not None
    nested = _has_block_child(child)
    if has_img and (tag in ("figure", "table") or not nested):
        return _image_block(child, captions)
    if nested and _is_furniture_container(child):
        return []
    if tag == "table":
        return _table_blocks(child)
    return walk(child, captions, depth + 1) if nested else text_blocks(child)
