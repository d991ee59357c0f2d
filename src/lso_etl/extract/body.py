"""From the container's blocks to lead, body, captions, images, byline and source lines.

Pure over `Block`s: the DOM is gone by now, so these rules are the text conventions of
vietnamese-text.md §3, §5 and §6, applied in document order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lso_etl.extract.blocks import Block
from lso_etl.extract.bylines import is_byline
from lso_etl.extract.clean import (
    dedupe_consecutive,
    has_dateline,
    is_caption_text,
    is_furniture,
    is_stop_marker,
    split_dateline,
    split_source,
)
from lso_etl.extract.dates import is_date_line

_CAPTION_MAX = 300
_EMPHASIS = 0.9  # share of a paragraph in <em>/<strong> for it to count as emphasised
_LEAD_BOLD = 0.5
_TRAILING = 3  # bylines and source lines sit in the last 1–3 paragraphs
_FILENAME = re.compile(r"\.(?:jpe?g|png|gif|webp)$|^[\w-]+$", re.IGNORECASE)
_COMPILED = re.compile(r"^\(?\s*tổng hợp\s*\)?\.?$", re.IGNORECASE)


@dataclass
class Assembled:
    sapo: str | None = None
    sapo_rule: str | None = None
    dateline: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    caption_rules: list[str] = field(default_factory=list)
    images: list[tuple[str, str | None]] = field(default_factory=list)
    bylines: list[str] = field(default_factory=list)
    source: str | None = None
    date_lines: tuple[str, ...] = ()  # date lines the container opened with, out of the body


def _alt_caption(block: Block, headline: str) -> str | None:
    """An image's alt text when it reads like a caption (not a file name, not the headline)."""
    for _, alt in block.images:
        if (
            alt
            and " " in alt
            and not _FILENAME.search(alt)
            and alt.casefold() != headline.casefold()
        ):
            return alt
    return None


def _follows_as_caption(block: Block, alt: str | None, lead: str | None) -> bool:
    """A paragraph right after an uncaptioned image that is its caption: italic, the same
    text as the alt, an "Ảnh:" credit, or (older CMS, rare) wholly bold but not a lead."""
    if block.kind != "text" or len(block.text) > _CAPTION_MAX or block.link > 0:
        return False
    if block.text == lead:
        return False
    if alt and block.text.casefold() == alt.casefold():
        return True
    if block.italic >= _EMPHASIS or is_caption_text(block.text):
        return True
    lead_like = has_dateline(block.text)
    return block.bold >= _EMPHASIS and not lead_like and not is_byline(block.text)


def _add_caption(out: Assembled, text: str, rule: str) -> None:
    if text and not (out.captions and out.captions[-1].casefold() == text.casefold()):
        out.captions.append(text)
    if rule not in out.caption_rules:
        out.caption_rules.append(rule)


def _image(
    out: Assembled, block: Block, following: Block | None, known: tuple[str, str | None]
) -> bool:
    """Record an image block; True when it consumed the following paragraph as its caption.
    `known` is (headline, lead text): an alt equal to the headline is no caption, and the
    lead is never one."""
    caption, rule, used_next = block.text, block.caption_rule, False
    alt = _alt_caption(block, known[0])
    if not caption and following is not None and _follows_as_caption(following, alt, known[1]):
        caption, rule, used_next = following.text, "html:p-after-img", True
    elif not caption and alt:
        caption, rule = alt, "html:img[alt]"
    elif caption and following is not None and following.text.casefold() == caption.casefold():
        used_next = True  # the caption printed twice (alt + caption): keep it once
    for src, _ in block.images:
        out.images.append((src, caption or None))
    if caption and rule:
        _add_caption(out, caption, rule)
    return used_next


def _split_captions(
    blocks: list[Block], known: tuple[str, str | None]
) -> tuple[Assembled, list[Block]]:
    out, paragraphs = Assembled(), []
    skip = False
    for i, block in enumerate(blocks):
        if skip:
            skip = False
            continue
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        if block.kind == "image":
            skip = _image(out, block, following, known)
        elif is_stop_marker(block.text):
            break  # comments follow
        elif is_furniture(block.text, block.link):
            continue
        elif is_caption_text(block.text) or (out.captions and block.text == out.captions[-1]):
            _add_caption(out, block.text, "body:caption-text")
        else:
            paragraphs.append(block)
    return out, paragraphs


def _take_lead(out: Assembled, paragraphs: list[Block], lead: str | None, rule: str) -> list[str]:
    """The first paragraph is the lead when the layout's lead rule names it and it is mostly
    bold, or when it opens with a dateline ("LSO-"). Returns the body paragraphs."""
    texts = [b.text for b in paragraphs]
    if not paragraphs:
        return texts
    first = paragraphs[0]
    dateline, rest = split_dateline(first.text)
    if lead is not None and lead == first.text and first.bold >= _LEAD_BOLD:
        out.sapo_rule = rule
    elif has_dateline(first.text):
        out.sapo_rule = "lead:dateline-paragraph"
    else:
        return texts
    out.dateline, out.sapo = dateline, rest or None
    return texts[1:]


def _take_trailing(out: Assembled, paragraphs: list[str]) -> list[str]:
    """Byline, source and "(tổng hợp)" lines at the end leave the body (at most three)."""
    kept = list(paragraphs)
    for _ in range(_TRAILING):
        if len(kept) < 2:  # never empty the body for a byline
            break
        last = kept[-1]
        source = split_source(last)
        if source:
            out.source = out.source or source
        elif is_byline(last):
            out.bylines.insert(0, last)
        elif not _COMPILED.match(last):
            break
        kept.pop()
    return kept


def _leading_date_lines(
    blocks: list[Block], labels: tuple[str, ...]
) -> tuple[list[Block], tuple[str, ...]]:
    """Date lines above the first paragraph of prose ("15:47 | 26/07/2017" printed inside the
    container): not article text, and above the lead they would hide it."""
    kept: list[Block] = []
    lines: list[str] = []
    for block in blocks:
        if not kept and block.kind == "text" and is_date_line(block.text, labels):
            lines.append(block.text)
        else:
            kept.append(block)
    return kept, tuple(lines)


def assemble(
    blocks: list[Block], headline: str, lead: str | None, lead_rule: str,
    date_labels: tuple[str, ...] = (),
) -> Assembled:  # fmt: skip
    """Split a container's blocks into the article's parts. `lead` is the text of the
    paragraph the layout's lead rule matched (None when it matched nothing); `date_labels`
    are the "updated" labels a date line may carry."""
    blocks, date_lines = _leading_date_lines(blocks, date_labels)
    out, blocks_left = _split_captions(blocks, (headline, lead))
    out.date_lines = date_lines
    paragraphs = _take_lead(out, blocks_left, lead, lead_rule)
    out.paragraphs = _take_trailing(out, paragraphs)
    out.captions = list(dedupe_consecutive(out.captions))
    return out
