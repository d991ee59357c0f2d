"""Where the site files an article: section, subsection and tags, each with the rule that said so.

The breadcrumb trail names both levels ("Trang chủ > Xã hội > Y tế"): its first entry that is
not the home page is the section, the next one the subsection. Taking the trail's last entry
would make the subsection the section on a two-level trail. An older-CMS URL carries both as
slugs (`/xa-hoi/y-te/310783-….html`); they are used only when no breadcrumb names a level.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from urllib.parse import urlsplit

from lso_etl.extract.clean import clean_inline
from lso_etl.extract.metadata import Page, rule_values
from lso_etl.site.profile import Layout, SiteProfile

Named = tuple[str, str] | None  # (value, rule name)

_TAG_LABELS = ("từ khóa", "từ khoá", "tags", "tag", "chủ đề")


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _trail(
    page: Page, layout: Layout, profile: SiteProfile, headline: str
) -> tuple[list[str], str]:
    """The breadcrumb entries below the home page (the article's own title is no level)."""
    for rule in layout.section:
        entries = [
            value
            for value in rule_values(page, rule)
            if value.casefold() not in profile.home_labels and value != headline
        ]
        if entries:
            return list(dict.fromkeys(entries)), rule.name
    return [], ""


def _from_path(url: str, profile: SiteProfile) -> tuple[str | None, str | None, str]:
    path = urlsplit(url).path
    for rule in profile.path_sections:
        match = _compiled(rule.pattern).match(path)
        if match:
            return match["section"], match["subsection"], rule.name
    return None, None, ""


def sections(
    page: Page, layout: Layout, profile: SiteProfile, url: str, headline: str
) -> tuple[Named, Named]:
    """((section, rule), (subsection, rule)), each None when neither breadcrumb nor URL names it."""
    trail, rule = _trail(page, layout, profile, headline)
    section: Named = (trail[0], rule) if trail else None
    subsection: Named = (trail[1], f"{rule}#2") if len(trail) > 1 else None
    if section is not None and subsection is not None:
        return section, subsection
    path_section, path_subsection, path_rule = _from_path(url, profile)
    if section is None and path_section:
        section = path_section, path_rule
    # A URL's second segment belongs under its first: taken only when the section came from
    # the URL too, or the breadcrumb's section is the URL's ("Xã hội" and "xa-hoi").
    under = section is not None and (section[1] == path_rule or _slug(section[0]) == path_section)
    if subsection is None and path_subsection and under:
        subsection = path_subsection, f"{path_rule}#2"
    return section, subsection


def _slug(name: str) -> str:
    """ "Quốc phòng - An ninh" -> "quoc-phong-an-ninh", as the CMS makes its path segments."""
    plain = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_text = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text))


def _tag_text(value: str) -> str:
    text = clean_inline(value).lstrip("#").strip()
    head, sep, rest = text.partition(":")
    return rest.strip() if sep and head.strip().casefold() in _TAG_LABELS else text


def tags(page: Page, layout: Layout, profile: SiteProfile) -> tuple[tuple[str, ...], str | None]:
    """The <head> metadata's tags, else the visible tag box's links; each tag once (a tag
    written twice in different case is one tag)."""
    for rule in (*profile.metadata.tags, *layout.tags):
        values = (_tag_text(t) for v in rule_values(page, rule) for t in v.split(","))
        kept: dict[str, str] = {}
        for value in values:
            if value and value.casefold() not in _TAG_LABELS:
                kept.setdefault(value.casefold(), value)
        if kept:
            return tuple(kept.values()), rule.name
    return (), None
