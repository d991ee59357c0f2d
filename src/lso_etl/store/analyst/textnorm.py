"""Normalised shadows of Vietnamese text, for search and for author identity.

Text is stored as published; these keys are derived from it (vietnamese-text.md §2):
- `fold`: lower case, every accent stripped, `đ` -> `d`, words of [a-z0-9] joined by one
  space. It is what search matches on, so "nong thon moi" finds "nông thôn mới", and both
  tone placements ("hoà" / "hòa") fold to the same word. The SQL macro `lso_fold` in
  `warehouse/macros/` computes the same string (a test holds the two together).
- `tone_key`: NFC, lower case, one tone placement, accents kept: "Thuỳ Linh" and "Thùy Linh"
  are one author, "Thu Hà" and "Thu Hạ" stay two.
"""

from __future__ import annotations

import re
import unicodedata

# Strip every combining mark (the tones and the hat/breve/horn once decomposed) and fold đ;
# ð (U+00F0) is the look-alike some copied text carries instead of đ.
_FOLD: dict[int, str | None] = dict.fromkeys(range(0x0300, 0x0370))
_FOLD.update({ord("đ"): "d", ord("ð"): "d"})
_WORD = re.compile(r"[a-z0-9]+")
_SYLLABLE = re.compile(r"\w+")
_TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng
# o/u + a/e/y carrying the tone, ending an open syllable: "hoà", "khoẻ", "thuý", "uỷ".
_OLD_PLACEMENT = re.compile(rf"(?<!q)(?P<glide>[ou])(?P<vowel>[aey])(?P<tone>[{_TONES}])$")


def fold(text: str) -> str:
    """The search shadow: accent- and tone-placement-free lower-case words, one space apart."""
    return " ".join(words(text))


def words(text: str) -> list[str]:
    decomposed = unicodedata.normalize("NFD", text.lower())
    return _WORD.findall(decomposed.translate(_FOLD))


def tone_key(text: str) -> str:
    """NFC, lower case, tones placed on o/u in open 'oa/oe/uy' syllables (never after q)."""
    nfc = unicodedata.normalize("NFC", text).replace("Ð", "Đ").replace("ð", "đ").lower()
    return _SYLLABLE.sub(lambda m: _one_placement(m.group()), " ".join(nfc.split()))


def _one_placement(syllable: str) -> str:
    decomposed = unicodedata.normalize("NFD", syllable)
    moved = _OLD_PLACEMENT.sub(r"\g<glide>\g<tone>\g<vowel>", decomposed)
    return unicodedata.normalize("NFC", moved) if moved != decomposed else syllable
