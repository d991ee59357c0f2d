"""Publish dates: the site's own formats parsed explicitly, never guessed (vietnamese-text.md §4).

Free-text date libraries misread Vietnamese ("21 tháng 09 năm 2025" drifts with the current
time in one of them), so every accepted shape is spelled out in one anchored grammar below.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from lso_etl.extract.clean import clean_inline

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
EARLIEST_YEAR = 1990  # older "dates" are typos or history mentioned in the text

_WEEKDAYS = {
    "hai": 0, "2": 0, "ba": 1, "3": 1, "tư": 2, "4": 2, "năm": 3, "5": 3,
    "sáu": 4, "6": 4, "bảy": 5, "7": 5, "chủ nhật": 6, "cn": 6,
}  # fmt: skip
_WD = r"(?:thứ\s*(?P<wd>hai|ba|tư|năm|sáu|bảy|[2-7])|(?P<sun>chủ\s*nhật|cn))"
# 24-hour clock; a trailing AM/PM is ignored because the site prints "14:00 PM" (§4).
_TIME = r"(?P<{0}h>\d{{1,2}})\s*[:h]\s*(?P<{0}m>\d{{2}})(?::(?P<{0}s>\d{{2}}))?(?:\s*[ap]\.?m\.?)?"
_DATE = r"(?P<d>\d{1,2})\s*[/.-]\s*(?P<mo>\d{1,2})\s*[/.-]\s*(?P<y>\d{4})"
# Accepted, after the normalisation in `_normalise`:
#   "15:47 | 26/07/2017"            "thứ tư, 26/07/2017 16:05"      "09:08, 16/08/2022"
#   "thứ sáu: 15:00 ngày 09/02/2024" "chủ nhật, 08/12/2024 16:02"    "14:38 18/09/2020"
#   "thứ bảy, 16/06/2018 14:00 pm"   "26/07/2017"                    "thứ hai, 06/01/2025"
_CORE = (
    rf"(?:{_WD}\s*[,:-]?\s*)?"
    rf"(?:{_TIME.format('a')}\s*[,|-]?\s*)?"
    rf"(?:ngày\s+)?{_DATE}"
    rf"(?:\s*[,|-]?\s*(?:lúc\s+)?{_TIME.format('b')})?"
)
_GRAMMAR = re.compile(rf"^{_CORE}$")
_SEARCH = re.compile(rf"(?<![\d/.-]){_CORE}(?![\d/.-])")
_LONG_DATE = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s*,?\s+năm\s+(\d{4})")
_BRACKETED = re.compile(r"\[[^\]]*\]|\([^)]*\)")
_PREFIX = re.compile(r"^(?:ngày đăng|đăng lúc|đăng ngày|xuất bản|đăng)\s*:?\s*")
_LUNAR = ("âm lịch", "tháng giêng", "mồng", "canh tý")
_DATE_LINE_MAX = 120  # a longer paragraph that parses as a date is not a bare date line


def _normalise(text: str) -> str:
    """Lower case; the trailing "[GMT+7]" / "(GMT +7)" cut; the long date turned into d/m/y."""
    text = clean_inline(text).lower()
    text = _BRACKETED.sub(" ", text)
    text = re.sub(r"\bgmt\s*[+-]\s*\d+\b", " ", text)
    text = _LONG_DATE.sub(r"\1/\2/\3", text)
    return _PREFIX.sub("", " ".join(text.split())).strip(" ,.|-")


def _weekday(match: re.Match[str]) -> int | None:
    if match["sun"]:
        return 6
    return _WEEKDAYS[match["wd"]] if match["wd"] else None


def _clock(match: re.Match[str]) -> tuple[int, int, int]:
    """Hour, minute, second from whichever side of the date the time stood on (or midnight)."""
    for side in "ab":
        if match[f"{side}h"]:
            return int(match[f"{side}h"]), int(match[f"{side}m"]), int(match[f"{side}s"] or 0)
    return 0, 0, 0


def parse_vn_datetime(text: str) -> datetime | None:
    """A date as the site prints it, as an aware Asia/Ho_Chi_Minh datetime, else None.

    A weekday that contradicts the date rejects the text: one of the two is wrong, and we
    cannot tell which. Lunar dates are never publish dates.
    """
    norm = _normalise(text)
    if any(word in norm for word in _LUNAR):
        return None
    match = _GRAMMAR.match(norm)
    return _stamp(match) if match else None


def find_vn_datetime(text: str) -> datetime | None:
    """The first date in the site's formats inside a longer text (a date line that also
    carries an author or a view count). Use only on text next to the headline: the first
    date of a whole page is the header's "today" (site-notes, the header trap)."""
    norm = _normalise(text)
    if any(word in norm for word in _LUNAR):
        return None
    whole = _GRAMMAR.match(norm)
    if whole:
        return _stamp(whole)
    match = _SEARCH.search(norm)
    return _stamp(match) if match else None


def _stamp(match: re.Match[str]) -> datetime | None:
    try:
        stamp = datetime(
            int(match["y"]), int(match["mo"]), int(match["d"]), *_clock(match), tzinfo=VN_TZ
        )
    except ValueError:
        return None
    weekday = _weekday(match)
    if weekday is not None and weekday != stamp.weekday():
        return None
    return stamp


def parse_iso_datetime(text: str) -> datetime | None:
    """Metadata timestamps (ISO 8601); a naive one is read as Vietnam time."""
    try:
        stamp = datetime.fromisoformat(clean_inline(text))
        if stamp.tzinfo is None:
            return stamp.replace(tzinfo=VN_TZ)
        return stamp.astimezone(VN_TZ)
    except (ValueError, OverflowError):  # not ISO, or year 1 moved across midnight
        return None


def parse_any_datetime(text: str) -> datetime | None:
    """ISO 8601 first (metadata), then the site's visible formats."""
    stamp = parse_iso_datetime(text) if re.match(r"^\s*\d{4}-", text) else None
    return stamp or find_vn_datetime(text)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def choose_date(
    candidates: Iterable[tuple[str, str]], fetched_at: datetime
) -> tuple[datetime, str] | None:
    """The first acceptable (date, rule) among (rule, text) candidates in priority order.

    Rejected: unparsable text, a date after the fetch, a year before 1990. A date on the
    fetch day itself loses to any other acceptable candidate: that is what a page header
    showing today's date looks like (site-notes, "the header trap").
    """
    fetched = _aware(fetched_at)
    today = fetched.astimezone(VN_TZ).date()
    accepted: list[tuple[datetime, str]] = []  # fetch-day dates, kept in case nothing else
    for rule, text in candidates:  # stops at the first good one: later ones are not read
        stamp = parse_any_datetime(text)
        if stamp and stamp.year >= EARLIEST_YEAR and stamp <= fetched:
            if stamp.date() != today:
                return stamp, rule
            accepted.append((stamp, rule))
    # Only fetch-day dates: a header's "today" carries no time of day, the article's does.
    timed = [(stamp, rule) for stamp, rule in accepted if stamp.time() != time(0)]
    return (timed or accepted)[0] if accepted else None


def split_at_label(text: str, labels: Iterable[str]) -> tuple[str, str | None]:
    """(text before the first label, text after it or None): "10:12 14/03/2023 | Cập nhật:
    15:40 14/03/2023" is a publish date, then a modification date. Labels are lower case."""
    folded = text.casefold()
    found = [(at, label) for label in labels if (at := folded.find(label)) >= 0]
    if not found:
        return text, None
    at, label = min(found)
    return text[:at].rstrip(" |,-–("), text[at + len(label) :].strip(" :|,-–()")


def is_date_line(text: str, labels: Iterable[str]) -> bool:
    """A paragraph that is a date and nothing else ("Thứ Năm, 15/05/2025 09:20", "15:47 |
    26/07/2017", "Cập nhật: 09:05 15/05/2025"): a date line, never article text."""
    if len(text) > _DATE_LINE_MAX or not any(c.isdigit() for c in text):
        return False
    before, after = split_at_label(text, labels)
    if after is not None:
        return (not before or parse_vn_datetime(before) is not None) and (
            parse_vn_datetime(after) is not None
        )
    return parse_vn_datetime(text) is not None
