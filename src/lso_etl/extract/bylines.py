"""Bylines: who wrote an article, from the capitals line at its end (vietnamese-text.md §5).

Names are stored title-cased after NFC ("MINH ĐỨC" → "Minh Đức"); `str.title()` on
decomposed text gives "ĐứC", and on "NHÓM PV" gives "Nhóm Pv", so casing is done here word
by word with a list of acronyms that stay as written.
"""

from __future__ import annotations

import re

from lso_etl.extract.clean import clean_inline

# Newsroom tokens and wire names that are written in capitals on purpose.
ACRONYMS = frozenset(
    ("PV", "P.V", "CTV", "BTV", "BBT", "TTXVN", "TTX", "VNA", "VOV", "VTV", "TTO", "LSO", "TG")
)
# Titles before a name, in their usual spelling; matched case-insensitively.
TITLES = (
    "PGS.TS",
    "GS.TS",
    "TS.BS",
    "BSCKII",
    "BSCKI",
    "ThS",
    "TS",
    "PGS",
    "GS",
    "BS",
    "NSƯT",
    "NSND",
    "NGƯT",
    "KTS",
    "LS",
    "Luật sư",
    "Bác sĩ",
    "Nhà báo",
    "Đại tá",
    "Thượng tá",
    "Trung tá",
    "Thiếu tá",
    "Đại úy",
    "Thượng úy",
    "Trung úy",
    "Thiếu úy",
    "Thiếu tướng",
    "Trung tướng",
)
# A title ends at a dot or a space; titles chain ("ThS.BS", "ThS. BS", "PGS.TS.BS").
_TITLE = re.compile(
    r"^(?P<title>" + "|".join(re.escape(t) for t in TITLES) + r")(?:\.\s*|\s+)(?P<name>.+)$",
    re.IGNORECASE,
)
# "Bài, ảnh:", "Tin, ảnh:", "Bài và ảnh:", "Bài:", "Tin:", "Tin và ảnh:".
_ROLE = re.compile(r"^(?:bài|tin)(?:\s*(?:,|-|–|và|&)\s*ảnh)?\s*:\s*", re.IGNORECASE)
_DONE_BY = re.compile(r"\s*(?:thực hiện|\(\s*tổng hợp\s*\)|tổng hợp)\s*\.?$", re.IGNORECASE)
_GROUP = re.compile(r"^nhóm\s+(?:pv|p\.v|phóng viên)\b", re.IGNORECASE)
# Only spaced separators split authors: "Hồ Cầu-TTXVN" is one credit.
_SEPARATOR = re.compile(r"\s+[-–—&]\s+|\s+và\s+|\s*,\s*", re.IGNORECASE)
_MAX_CHARS = 60
_MAX_WORDS = 8


def _case_part(part: str) -> str:
    if part.upper() in ACRONYMS or not any(c.isalpha() for c in part):
        return part
    return part[:1].upper() + part[1:].lower()


def title_case_name(name: str) -> str:
    """Title-case the words written in capitals; mixed-case words are kept as written.

    Capitals restart after an apostrophe, hyphen or slash ("H'HEN" → "H'Hen", "VĂN ĐỨC/TTXVN"
    → "Văn Đức/TTXVN"); acronyms ("PV", "BBT") stay.
    """
    words = []
    for word in clean_inline(name).split(" "):
        if word.upper() in ACRONYMS or word != word.upper():
            words.append(word)
        else:
            words.append("".join(_case_part(p) for p in re.split(r"([-/'’.])", word)))
    return " ".join(words)


def split_title(name: str) -> tuple[str | None, str]:
    """Leading academic/military/artistic titles and the bare name: ("ThS", "Lê Văn Tám"),
    ("ThS.BS", "Nguyễn Văn An"). Each pass shortens the text, so the loop ends."""
    text = clean_inline(name)
    titles: list[str] = []
    while (match := _TITLE.match(text)) is not None:
        titles.append(next(t for t in TITLES if t.casefold() == match["title"].casefold()))
        text = match["name"]
    return (".".join(titles) or None), text


def _strip_roles(text: str) -> tuple[str, bool]:
    """The name part of a byline, and whether a role marked it as a byline."""
    stripped = _ROLE.sub("", text, count=1)
    role = stripped != text
    done = _DONE_BY.sub("", stripped)
    return done, role or done != stripped


def _is_capitals(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _names_a_person(name: str) -> bool:
    return _is_capitals(name) or bool(_GROUP.match(name)) or name.upper() in ACRONYMS


def is_byline(paragraph: str) -> bool:
    """A short trailing paragraph that names the authors (all capitals, a role, a token).
    Each author is checked on its own, after its title ("PGS.TS TRẦN BÌNH – ThS LÊ AN")."""
    text = clean_inline(paragraph)
    if not text or len(text) > _MAX_CHARS or len(text.split()) > _MAX_WORDS:
        return False
    names, role = _strip_roles(text)
    parts = [split_title(part.strip(" .;:()"))[1] for part in _SEPARATOR.split(names)]
    parts = [part for part in parts if part]
    return bool(parts) and (role or all(_names_a_person(part) for part in parts))


def parse_authors(byline: str) -> tuple[str, ...]:
    """The author names in a byline, title-cased, titles split off, in order, without repeats."""
    names, _ = _strip_roles(clean_inline(byline))
    authors: list[str] = []
    for part in _SEPARATOR.split(names):
        _, name = split_title(part.strip(" .;:()"))
        cased = title_case_name(name)
        if cased and any(c.isalpha() for c in cased) and cased not in authors:
            authors.append(cased)
    return tuple(authors)
