"""The replay corpus: deterministic generated articles, each holding the truth a perfect parser outputs.

Everything is drawn from one seeded `random.Random`, in one fixed order, so the same arguments
always give the same corpus (no global random state, no clock). The variety in `Style` is what a
page prints around the truth: the traps from site-notes.md and layouts.md.
"""

from __future__ import annotations

import random
import re
import unicodedata
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from lso_etl.replay import texts
from lso_etl.replay.model import SECTIONS, TZ, Corpus, CorpusArticle, Section, Style
from lso_etl.replay.texts import Topic
from lso_etl.replay.topics import TOPICS

__all__ = ["Corpus", "CorpusArticle", "Style", "build_corpus", "slugify", "title_name"]

LEGACY_SHARE = 0.35
FIRST_MINUTE, LAST_MINUTE = 6 * 60, 22 * 60 - 1  # publishing hours 06:00-21:59
ACRONYMS = frozenset({"BBT", "PV", "CTV", "BTV"})


def build_corpus(
    seed: int = 2017,
    start: date = date(2017, 6, 1),
    days: int = 150,
    per_day: tuple[int, int] = (1, 4),
) -> Corpus:
    """About `days` × mean(per_day) articles from `start`, ~35% on the old CMS, oldest first."""
    rng = random.Random(seed)
    slots = _publish_times(rng, start, days, per_day)
    legacy = set(rng.sample(range(len(slots)), round(LEGACY_SHARE * len(slots))))
    layouts = ["legacy" if i in legacy else "current" for i in range(len(slots))]
    # Each CMS numbers its articles in its own increasing sequence.
    numbers = {
        "legacy": iter(_id_sequence(rng, layouts.count("legacy"), 280_000, 24_000)),
        "current": iter(_id_sequence(rng, layouts.count("current"), 5_000_000, 45_000)),
    }
    headlines: set[str] = set()
    articles: list[CorpusArticle] = []
    for when, layout in zip(slots, layouts, strict=True):
        number = next(numbers[layout])
        articles.append(_article(rng, when, layout, number, headlines, articles))
    return Corpus(tuple(articles), SECTIONS)


def _publish_times(
    rng: random.Random, start: date, days: int, per_day: tuple[int, int]
) -> list[datetime]:
    slots: list[datetime] = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        minutes = sorted(rng.sample(range(FIRST_MINUTE, LAST_MINUTE + 1), rng.randint(*per_day)))
        slots += [datetime.combine(day, time(m // 60, m % 60), TZ) for m in minutes]
    return slots


def _id_sequence(rng: random.Random, count: int, first: int, span: int) -> list[int]:
    """`count` increasing ids from near `first`, with gaps (other articles, deleted drafts)."""
    top = max(2, 2 * span // max(count, 1))
    current, ids = first + rng.randint(0, 999), []
    for _ in range(count):
        ids.append(current)
        current += rng.randint(1, top - 1)
    return ids


def derive_article(
    rng: random.Random, when: datetime, layout: str, number: int, section: Section
) -> CorpusArticle:
    """One article on its own (the decade corpus's): no other headline to avoid, no earlier
    stories for an inline related box."""
    return _article(rng, when, layout, number, set(), [], section)


class Credits(NamedTuple):
    byline_raw: str | None  # as printed
    kind: str
    authors: tuple[str, ...]  # expected
    source_line: str | None  # as printed
    source: str | None  # expected


def _article(
    rng: random.Random,
    when: datetime,
    layout: str,
    number: int,
    used: set[str],
    earlier: list[CorpusArticle],
    section: Section | None = None,
) -> CorpusArticle:
    # A given section (the decade corpus places articles by date arithmetic) skips that draw.
    if section is None:
        section = rng.choices(SECTIONS, weights=[s.weight for s in SECTIONS])[0]
    topic = TOPICS[section.slug]
    headline, lead, fills = _headline(rng, topic, when, used)
    dateline_form, sapo = _lead(rng, lead, fills, when)
    paragraphs = _paragraphs(rng, topic, fills)
    captions = tuple(_fill(rng, c, fills) for c in rng.sample(topic.captions, _image_count(rng)))
    credits = _credits(rng)
    style = _style(rng, layout, section, dateline_form, credits, paragraphs, len(captions), earlier)
    slug = slugify(_headline(rng, topic, when, {headline})[0] if style.slug_mismatch else headline)
    legacy = style.subsection is not None
    filing = _filing(layout, number, when, section, style, fills)
    return CorpusArticle(
        article_id=f"old:{number}" if legacy else f"new:{number}",
        path=_path(section, style.subsection, number, slug),
        layout=layout,
        headline=headline,
        dateline="LSO" if "LSO" in dateline_form else None,
        sapo=sapo,
        paragraphs=paragraphs,
        captions=captions,
        images=tuple(
            f"/uploads/{when:%Y/%m/%d}/{_stem(slug)}-{i + 1}.jpg" for i in range(len(captions))
        ),
        authors=credits.authors,
        byline_raw=credits.byline_raw,
        source=credits.source,
        section=section.name,
        section_slug=section.slug,
        published_at=when,
        has_meta_date=not legacy and rng.random() < 0.5,
        style=style,
        subsection=filing.subsection,
        subsection_slug=filing.subsection_slug,
        tags=filing.tags,
        modified_at=filing.modified_at,
    )


SUBSECTION_SHARE = 0.4  # current pages whose breadcrumb names a second level
TAG_SHARE = {"current": 0.5, "legacy": 0.3}
MODIFIED_SHARE = {"current": 0.25, "legacy": 0.15}


class Filing(NamedTuple):
    subsection: str | None
    subsection_slug: str | None
    tags: tuple[str, ...]
    modified_at: datetime | None


def _filing(
    layout: str, number: int, when: datetime, section: Section, style: Style,
    fills: dict[str, str],
) -> Filing:  # fmt: skip
    """Subsection, tags and a modification time, from a generator seeded by the article alone:
    drawing them from the corpus's generator would change every article after the first."""
    rng = random.Random(f"filing:{layout}:{number}")
    sub = style.subsection
    if sub is None and rng.random() < SUBSECTION_SHARE:
        sub = rng.choice(section.subsections)
    tags: tuple[str, ...] = ()
    if rng.random() < TAG_SHARE[layout]:
        tags = tuple(rng.sample((fills["place"], fills["nganh"], fills["viec"]), rng.randint(1, 3)))
    modified = None
    if rng.random() < MODIFIED_SHARE[layout]:  # later the same day: never after a fetch of it
        end_of_day = when.replace(hour=23, minute=59)
        modified = min(when + timedelta(minutes=rng.randint(20, 600)), end_of_day)
    return Filing(sub[1] if sub else None, sub[0] if sub else None, tags, modified)


def _style(
    rng: random.Random,
    layout: str,
    section: Section,
    dateline_form: str,
    credits: Credits,
    paragraphs: tuple[str, ...],
    images: int,
    earlier: list[CorpusArticle],
) -> Style:
    return Style(
        dateline_form=dateline_form,
        byline_kind=credits.kind,
        byline_place=_byline_place(rng, layout, credits.byline_raw),
        source_line=credits.source_line,
        caption_style=_caption_style(rng, layout, images),
        related_inline=_related_inline(rng, layout, earlier),
        nbsp=_space_spot(rng, paragraphs, 0.35),
        zwsp=_space_spot(rng, paragraphs, 0.12),
        subsection=rng.choice(section.subsections) if layout == "legacy" else None,
        slug_mismatch=rng.random() < 0.07,
    )


def _path(section: Section, subsection: tuple[str, str] | None, number: int, slug: str) -> str:
    if subsection is None:  # current CMS: no section in the path
        return f"/{slug}-{number}.html"
    return f"/{section.slug}/{subsection[0]}/{number}-{slug}.html"


def _stem(slug: str) -> str:
    return "-".join(slug.split("-")[:3])


def _fills(rng: random.Random, when: datetime) -> dict[str, str]:
    """The context one article is about: one district, one commune, one period."""
    place, huyen = rng.choice(texts.PLACES)
    return {
        "place": place,
        "huyen": huyen,
        "xa": rng.choice(texts.COMMUNES),
        "ky": rng.choice([p for month, p in texts.PERIODS if when.month >= month]),
        "nganh": rng.choice(texts.SECTORS),
        "viec": rng.choice(texts.WORK_ITEMS),
        "ong": rng.choice(texts.MEN),
        "ba": rng.choice(texts.WOMEN),
        "nam": str(when.year),
        "nam_sau": str(when.year + 1),
        "thang": str(when.month),
    }


def _fill(rng: random.Random, template: str, fills: dict[str, str], *, capital: bool = True) -> str:
    """Format a template; numbers are drawn afresh for every sentence."""
    numbers = {
        "n": str(rng.randint(3, 60)),
        "n2": f"{rng.randint(150, 9800):,}".replace(",", "."),  # Vietnamese thousands dot
        "k": str(rng.randint(2, 9)),
        "pct": f"{rng.randint(52, 98)},{rng.randint(1, 9)}",  # decimal comma
        "tang": f"{rng.randint(3, 35)},{rng.randint(1, 9)}",
        "ty": f"{rng.randint(2, 95)},{rng.randint(1, 9)}",
        "usd": f"{rng.randint(120, 980)},{rng.randint(1, 9)}",
        "gia": str(rng.randint(60, 180)),
    }
    text = template.format(**fills, **numbers)
    return text[:1].upper() + text[1:] if capital else text


def _headline(
    rng: random.Random, topic: Topic, when: datetime, used: set[str]
) -> tuple[str, str, dict[str, str]]:
    """(headline no other article has, its lead template, the fills that made it)."""
    for _ in range(1000):
        fills = _fills(rng, when)
        index = rng.randrange(len(topic.headlines))
        headline = _fill(rng, topic.headlines[index], fills)
        if headline not in used:
            used.add(headline)
            return headline, topic.leads[index], fills
    raise RuntimeError("headline templates exhausted: add templates or fill values")


def _lead(
    rng: random.Random, template: str, fills: dict[str, str], when: datetime
) -> tuple[str, str]:
    """(dateline form, sapo). The opener's day/month is an event date, never the publish date."""
    roll = rng.random()
    if roll < 0.2:
        opener = rng.choice(texts.LEAD_OPENERS_UNDATED)
    elif roll < 0.45 and when.hour >= 16:
        opener = rng.choice(texts.LEAD_OPENERS_TODAY)
    else:
        opener = rng.choice(texts.LEAD_OPENERS_DATED)
    event = when.date() - timedelta(days=rng.choice((0, 0, 1)))
    opener = opener.format(d=event.day, m=event.month)
    sapo = f"{opener}, {_fill(rng, template, fills, capital=False)}"
    form = rng.choices(("LSO-", "LSO- ", "(LSO) - ", "", "- "), weights=(45, 15, 15, 15, 10))[0]
    return form, sapo


def _paragraphs(rng: random.Random, topic: Topic, fills: dict[str, str]) -> tuple[str, ...]:
    bank: list[str] = []
    paragraphs = []
    for _ in range(rng.randint(3, 8)):
        sentences = []
        for _ in range(rng.randint(2, 5)):
            if not bank:  # a long body reuses templates, with new numbers
                bank = [*topic.sentences, *texts.COMMON_SENTENCES]
                rng.shuffle(bank)
            sentences.append(_fill(rng, bank.pop(), fills))
        paragraphs.append(" ".join(sentences))
    return tuple(paragraphs)


def _image_count(rng: random.Random) -> int:
    return rng.choices((0, 1, 2, 3), weights=(20, 40, 25, 15))[0]


def _credits(rng: random.Random) -> Credits:
    source_line, source = rng.choice(texts.SOURCES) if rng.random() < 0.2 else (None, None)
    if source and rng.random() < 0.55:  # a wire story often carries no local byline
        return Credits(None, "none", (), source_line, source)
    kind = rng.choices(("single", "several", "role", "token"), weights=(45, 20, 20, 15))[0]
    if kind == "several":
        names = rng.sample(texts.REPORTERS, rng.choice((2, 2, 3)))
        raw = rng.choice(texts.AUTHOR_SEPARATORS).join(names)
    elif kind == "token":
        names = [rng.choice(texts.BYLINE_TOKENS)]
        raw = names[0]
    else:
        names = [rng.choice(texts.REPORTERS)]
        raw = rng.choice(texts.ROLE_PREFIXES) + names[0] if kind == "role" else names[0]
    return Credits(raw, kind, tuple(title_name(n) for n in names), source_line, source)


def title_name(printed: str) -> str:
    """'MINH ĐỨC' -> 'Minh Đức', 'NHÓM PV' -> 'Nhóm PV': how the parser should print an author."""
    words = unicodedata.normalize("NFC", printed).split()
    return " ".join(w if w in ACRONYMS else w[:1].upper() + w[1:].lower() for w in words)


def _byline_place(rng: random.Random, layout: str, byline: str | None) -> str:
    if byline is None:
        return "none"
    if layout == "legacy":
        return "body"
    return "pseudonym" if rng.random() < 0.55 else "body"


def _caption_style(rng: random.Random, layout: str, images: int) -> str:
    if images == 0:
        return "none"
    if layout == "current":
        return rng.choice(("table", "figure"))
    return rng.choices(("alt_em", "table", "strong"), weights=(60, 30, 10))[0]


def _related_inline(
    rng: random.Random, layout: str, earlier: list[CorpusArticle]
) -> tuple[str, ...]:
    """Paths for an inline "Tin liên quan" box (current layout, some pages): recent older stories."""
    if layout != "current" or len(earlier) < 5 or rng.random() >= 0.2:
        return ()
    return tuple(a.path for a in rng.sample(earlier[-40:], rng.randint(2, 3)))


def _space_spot(
    rng: random.Random, paragraphs: tuple[str, ...], share: float
) -> tuple[int, int] | None:
    """Where a page prints an odd space character; the truth keeps a plain space there."""
    if rng.random() >= share:
        return None
    index = rng.randrange(len(paragraphs))
    return index, rng.randrange(paragraphs[index].count(" "))


def slugify(text: str) -> str:
    """Vietnamese headline -> URL slug, as the CMS makes them: no diacritics, đ -> d, hyphens."""
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
