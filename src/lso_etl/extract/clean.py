"""Cleaning rules for Vietnamese news text (shared/docs/vietnamese-text.md §1–3, §6–7).

Every function here is pure, total (never raises on any str) and idempotent, so the parser
can apply them in any order and re-cleaning a stored record changes nothing.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

# §1.4: invisible characters that split words for search and break NFC composition.
_INVISIBLE = (
    *range(0x200B, 0x2010),
    0x2060,
    0xFEFF,
    0x00AD,
    0x034F,
    *range(0x202A, 0x202F),
    # C0/C1 control characters other than white space never belong in text
    *range(0x00, 0x09),
    *range(0x0E, 0x1C),
    *range(0x7F, 0x85),
    *range(0x86, 0xA0),
)
# §1.4: fixed-width and no-break spaces become plain spaces. §1.3: the Icelandic eth
# (U+00D0/U+00F0) looks like Đ/đ but lower-cases wrongly and breaks search.
_TRANSLATE: dict[int, str | None] = {
    **dict.fromkeys(_INVISIBLE),
    **dict.fromkeys((0x00A0, 0x2007, 0x2009, 0x202F, 0x3000), " "),
    0x00D0: "Đ",
    0x00F0: "đ",
}


# `str.translate` with a dict looks every character up, and a regex for the odd ones costs
# as much: `isprintable` finds out at C speed whether any is there. The odd spaces need no
# mapping on that path: they are white space to `str.split`, which collapses them anyway.
_PRINTABLE_ODD = ("Ð", "ð", "\u034f")  # the characters of _TRANSLATE that are printable


def _has_printable_odd(text: str) -> bool:
    return "Ð" in text or "ð" in text or "\u034f" in text  # _PRINTABLE_ODD, unrolled


def _translate(text: str) -> str:
    visible = "".join(text.split())
    if visible.isprintable() and not _has_printable_odd(visible):
        return text
    return text.translate(_TRANSLATE)


def _is_clean(text: str) -> bool:
    """Already what `clean_inline` makes of it. The rules re-check text that the parser
    cleaned before, dozens of times per article: this test costs a third of a cleaning.
    `isprintable` is False for every invisible, control and odd-space character above (all
    in Unicode's categories Cc, Cf, Z*), which leaves the printable ones to look for."""
    return (
        text.isprintable()
        and "  " not in text
        and text[:1] != " "
        and text[-1:] != " "
        and not _has_printable_odd(text)
        and unicodedata.is_normalized("NFC", text)
    )


def clean_inline(text: str) -> str:
    """One paragraph: invisible characters out, look-alikes mapped, NFC, white space collapsed.

    NFC comes after the removals: a zero-width character between a letter and its tone mark
    would otherwise keep the pair from composing.
    """
    if _is_clean(text):
        return text
    text = unicodedata.normalize("NFC", _translate(text))
    return " ".join(text.split())


def clean_text(text: str) -> str:
    """Several paragraphs: each line cleaned as one paragraph, empty ones dropped, joined by a
    blank line (so a cleaned text has exactly one form of paragraph break)."""
    paragraphs = (clean_inline(line) for line in _translate(text).splitlines())
    return "\n\n".join(p for p in paragraphs if p)


def join_paragraphs(paragraphs: Iterable[str]) -> str:
    """Block elements are joined by a blank line, never by nothing ("năm 1965.Bức ảnh")."""
    return clean_text("\n".join(paragraphs))


# §3: "LSO-", "LSO- ", "LSO - ", "(LSO) - " and other papers' tags in brackets ("(BTN) -").
_DATELINE = re.compile(
    r"^(?:\((?P<tag>[A-ZĐ]{2,10})\)|(?P<own>LSO))\s*[-–—]\s*(?P<rest>.*)$", re.DOTALL
)


def has_dateline(text: str) -> bool:
    return _DATELINE.match(clean_inline(text)) is not None


_ORPHAN_DASH = re.compile(r"^[-–—]\s*(?P<rest>.*)$", re.DOTALL)


def split_dateline(lead: str) -> tuple[str | None, str]:
    """The dateline tag of a lead ("LSO") and the lead without it; a lone leading dash goes too.

    Repeated until nothing changes ("LSO- - Text" has both), so the result is stable.
    """
    tag, text = None, clean_inline(lead)
    while True:
        match = _DATELINE.match(text) or _ORPHAN_DASH.match(text)
        if match is None or not match["rest"]:  # each pass shortens the text: it ends
            return tag, text
        found = match.groupdict().get("tag") or match.groupdict().get("own")
        tag, text = tag or found, match["rest"]


# §5: "Theo TTXVN", "(Theo Báo Nhân Dân)", "Nguồn: VOV". The name must start with a capital,
# so a sentence such as "Theo ông A, …" needs the comma test below to be kept out.
_SOURCE = re.compile(
    r"^\(?\s*(?:theo|nguồn)\s*:?\s+(?P<name>[A-ZĐÀ-Ỹ][^,;]*?)\s*\.?\s*\)?\s*\.?$", re.IGNORECASE
)
_SOURCE_MAX_CHARS = 60


def split_source(paragraph: str) -> str | None:
    """The wire or paper a short source line names, else None."""
    text = clean_inline(paragraph)
    if len(text) > _SOURCE_MAX_CHARS:
        return None
    match = _SOURCE.match(text)
    if not match or not match["name"][0].isupper():
        return None
    return match["name"].strip(" ()")


_CAPTION_START = re.compile(r"^\(?\s*ảnh\s*:", re.IGNORECASE)
_CAPTION_END = re.compile(r"\(\s*ảnh\s*:[^()]*\)\s*\.?$", re.IGNORECASE)


def is_caption_text(paragraph: str) -> bool:
    """§6: a paragraph that starts with "Ảnh:" or ends with "(Ảnh: X)" is a caption or credit."""
    text = clean_inline(paragraph)
    return bool(_CAPTION_START.match(text) or _CAPTION_END.search(text))


# §6: page furniture. Markers match the whole (short) paragraph, never a sentence's first
# words: "Chia sẻ với phóng viên, ông A cho biết…" is body text.
FURNITURE_MARKERS = (
    "tin liên quan",
    "bài liên quan",
    "cùng chuyên mục",
    "đọc thêm",
    "xem thêm",
    "chia sẻ",
    "in bài",
    "gửi email",
    "gửi bài viết",
    "bình luận",
    "ý kiến bạn đọc",
    "tin khác",
    "từ khóa",
    "từ khoá",
)
# Once these headings appear the rest is comments, not article.
STOP_MARKERS = ("bình luận", "ý kiến bạn đọc", "gửi bình luận")
_COUNTER = re.compile(r"^[\d.,\s]+lượt (?:xem|đọc|thích)$|^lượt (?:xem|đọc)\s*:?\s*[\d.,]+$")
_GOOGLE_NEWS = re.compile(r"^theo dõi .{0,60}trên google news$")
_LINK_DENSE = 0.5


def is_furniture(paragraph: str, link_ratio: float = 0.0) -> bool:
    """A related-links heading, share/print button text, view counter or link-dense block."""
    text = clean_inline(paragraph).lower().rstrip(" :.")
    if not text or link_ratio > _LINK_DENSE:
        return True
    if text in FURNITURE_MARKERS or _COUNTER.match(text) or _GOOGLE_NEWS.match(text):
        return True
    head, sep, _ = text.partition(":")
    return bool(sep) and head.strip() in FURNITURE_MARKERS and link_ratio > 0


def is_stop_marker(paragraph: str) -> bool:
    return clean_inline(paragraph).lower().rstrip(" :.") in STOP_MARKERS


def dedupe_consecutive(items: Iterable[str]) -> tuple[str, ...]:
    """Drop an item equal (after cleaning, ignoring case) to the one just before it.

    Copies of the site often repeat a caption twice in a row: once from the image's alt,
    once from the visible caption.
    """
    kept: list[str] = []
    for item in items:
        text = clean_inline(item)
        if text and not (kept and kept[-1].casefold() == text.casefold()):
            kept.append(text)
    return tuple(kept)


def strip_title_suffix(title: str, suffixes: Iterable[str]) -> str:
    """`<title>` minus the site's suffix (" - Báo Lạng Sơn: Tin tức mới nhất…") and all after it.

    A title that is nothing but the suffix gives "" (a page without a headline).
    """
    text = " " + clean_inline(title)  # so a suffix's leading space also matches at the start
    for suffix in suffixes:
        cut = text.casefold().rfind(" " + clean_inline(suffix).casefold())
        if cut >= 0:
            return clean_inline(text[:cut])
    return clean_inline(text)


# §2: tone marks. In an open syllable "oà/oé/uỷ" and "òa/óe/ủy" are both in use; the shadow
# puts the mark on the first vowel. Never after q ("quý" is qu + ý), never in a closed
# syllable ("toàn"). On lower-case NFC text, where each old form is two letters: a table of
# the 15 pairs, and one pattern that opens with the vowel, not with a lookbehind (a pattern
# that does is tried at every position, ten times slower on a long body).
_TONES = "\u0300\u0301\u0303\u0309\u0323"
_MOVED_TONE = {
    unicodedata.normalize("NFC", first + second + tone): unicodedata.normalize(
        "NFC", first + tone + second
    )
    for first, seconds in (("o", "ae"), ("u", "y"))
    for second in seconds
    for tone in _TONES
}
_OLD_PLACEMENT = re.compile(
    "(?:o(?<!qo)[" + "".join(k[1] for k in _MOVED_TONE if k[0] == "o") + "]"
    "|u(?<!qu)[" + "".join(k[1] for k in _MOVED_TONE if k[0] == "u") + "])"
    "(?![\\w\u0300-\u036f])"
)


def shadow(text: str) -> str:
    """The normalised shadow for de-duplication: NFC, one tone placement, lower case, spaces."""
    lowered = unicodedata.normalize("NFC", clean_inline(text).lower())
    return _OLD_PLACEMENT.sub(lambda match: _MOVED_TONE[match[0]], lowered)


def content_hash(*parts: str | None) -> str:
    """sha256 hex of the shadow of the parts (headline, sapo, body), in order."""
    joined = "\n".join(shadow(part) for part in parts if part)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


_NOT_A_WORD = re.compile(r"(?<!\S)(?:[^\w\s]|_)+(?!\S)")  # a token of punctuation only


def word_count(*parts: str | None) -> int:
    """Tokens with at least one letter or digit (punctuation-only tokens are not words)."""
    return sum(len(part.split()) - len(_NOT_A_WORD.findall(part)) for part in parts if part)


# §1.6 and §7: text decoded with the wrong table (TCVN3 "ViÖt", VNI "thö", UTF-8 read as
# cp1252 "Viá»‡t") is full of words that no Vietnamese spelling allows. A word is valid when,
# stripped of edge punctuation and lower-cased, it has only Vietnamese letters, digits and
# -'./, and at most one tone mark per syllable ("-" joins syllables). Counted with regexes
# over the whole text: a loop over words costs a millisecond per article.
_VIET = "a-zđàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
_TONED = "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
_ALLOWED = f"[{_VIET}0-9'./-]"
_EDGE = "[" + re.escape("\"'“”‘’()[]{}<>«»,.;:!?…–—%*&#@+=/\\|~^$") + "]+"
# The text is handled as " word word … " (one space around each word), so every pattern can
# open with a space or a letter: a pattern that opens with a lookbehind is tried at every
# position, and costs ten times more.
_LEADING_EDGE = re.compile(f" {_EDGE}")
_TRAILING_EDGE = re.compile(f"{_EDGE} ")
_WORDS = re.compile(r"[^\W\d_]\S*")  # from a word's first letter to its end: one per word
_VALID = re.compile(f" ({_ALLOWED}*[{_VIET}]{_ALLOWED}*)(?= )")
_TWO_TONES = re.compile(rf" \S*?[{_TONED}][^\s-]*[{_TONED}]\S*")
_GARBLED_SHARE = 0.1
_GARBLED_SAMPLE = 80  # words


def garbled_reason(text: str) -> str | None:
    """Why a text looks mis-decoded (replacement characters, legacy 8-bit font text), or None."""
    if text.count("\ufffd") > max(3, len(text) // 100):
        return "decoding garbage: replacement characters"
    # Mis-decoding spoils a whole page alike: an even sample of its words shows it as surely
    # as all of them, and regexes over Vietnamese text cost ~0.1 µs a character.
    tokens = text.split()
    sample = " ".join(tokens[:: max(1, len(tokens) // _GARBLED_SAMPLE)])
    spaced = " " + " ".join(clean_inline(sample).lower().split()) + " "
    words = _TRAILING_EDGE.sub(" ", _LEADING_EDGE.sub(" ", spaced))
    total = len(_WORDS.findall(words))
    if total < 10:
        return None
    valid = _VALID.findall(words)
    invalid = total - len(valid) + len(_TWO_TONES.findall(" " + "  ".join(valid) + " "))
    if invalid / total > _GARBLED_SHARE:
        return "decoding garbage: not Vietnamese spelling (legacy TCVN3/VNI or mojibake?)"
    return None
