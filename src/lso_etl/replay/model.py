"""The replay corpus's records: articles with their truth, sections, and how each page prints them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from itertools import groupby
from typing import Protocol
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class Section:
    name: str
    slug: str
    subsections: tuple[tuple[str, str], ...]  # (slug, name): the legacy URLs' second segment
    weight: int  # share of the corpus


SECTIONS = (
    Section("Thời sự", "thoi-su", (("tin-trong-tinh", "Tin trong tỉnh"),), 22),
    Section(
        "Chính trị",
        "chinh-tri",
        (("xay-dung-dang", "Xây dựng Đảng"), ("chinh-quyen", "Chính quyền")),
        14,
    ),
    Section(
        "Kinh tế",
        "kinh-te",
        (("nong-nghiep-nong-thon", "Nông nghiệp - Nông thôn"), ("thuong-mai", "Thương mại")),
        18,
    ),
    Section("Xã hội", "xa-hoi", (("giao-duc", "Giáo dục"), ("y-te", "Y tế")), 16),
    Section(
        "Văn hóa",
        "van-hoa",
        (("van-hoa-van-nghe", "Văn hóa - Văn nghệ"), ("du-lich", "Du lịch")),
        12,
    ),
    Section(
        "Quốc phòng - An ninh",
        "quoc-phong-an-ninh",
        (("quoc-phong", "Quốc phòng"), ("an-ninh-trat-tu", "An ninh trật tự")),
        10,
    ),
    Section("Thể thao", "the-thao", (("the-thao-trong-tinh", "Thể thao trong tỉnh"),), 8),
)


@dataclass(frozen=True)
class Style:
    """How a page prints its truth: the variety a parser must survive (not part of the truth)."""

    dateline_form: str  # "LSO-", "LSO- ", "(LSO) - ", "- " (orphan dash), "" (none)
    byline_kind: str  # "single" | "several" | "role" | "token" | "none"
    byline_place: str  # "pseudonym" (div.pseudonym) | "body" (last bold <p>) | "none"
    source_line: str | None  # as printed, e.g. "(Theo Báo Nhân Dân)"
    caption_style: str  # "table" | "figure" | "alt_em" | "strong" (legacy) | "none"
    related_inline: tuple[str, ...]  # paths in an inline "Tin liên quan" box in the body
    nbsp: tuple[int, int] | None  # (paragraph, space index) printed as &nbsp;
    zwsp: tuple[int, int] | None  # (paragraph, space index) followed by U+200B
    subsection: tuple[str, str] | None  # legacy only: (slug, name)
    slug_mismatch: bool  # the slug comes from another headline


@dataclass(frozen=True)
class CorpusArticle:
    """One article and the exact record a perfect parser should produce from its page."""

    article_id: str  # "new:5012345" | "old:301234"
    path: str
    layout: str  # "current" | "legacy"
    headline: str
    dateline: str | None  # "LSO" or None
    sapo: str  # lead without dateline
    paragraphs: tuple[str, ...]  # body only: no lead, captions, byline, source, related links
    captions: tuple[str, ...]
    images: tuple[str, ...]  # paths under /uploads/
    authors: tuple[str, ...]  # title-cased, acronyms kept
    byline_raw: str | None  # as printed
    source: str | None
    section: str
    section_slug: str
    published_at: datetime
    has_meta_date: bool  # article:published_time in <head>
    style: Style
    # Drawn from a generator of their own (`corpus._filing`), so older corpora keep every
    # other field: the breadcrumb's second level, the tag box, a visible "Cập nhật" time.
    subsection: str | None = None
    subsection_slug: str | None = None
    tags: tuple[str, ...] = ()
    modified_at: datetime | None = None

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True)
class Corpus:
    articles: tuple[CorpusArticle, ...]  # oldest first
    sections: tuple[Section, ...]

    @cached_property
    def by_path(self) -> dict[str, CorpusArticle]:
        return {a.path: a for a in self.articles}

    @cached_property
    def by_section(self) -> dict[str, tuple[CorpusArticle, ...]]:
        """Each section's articles, newest first (listing order)."""
        newest_first = self.articles[::-1]
        return {
            s.slug: tuple(a for a in newest_first if a.section_slug == s.slug)
            for s in self.sections
        }

    @cached_property
    def by_month(self) -> dict[str, tuple[CorpusArticle, ...]]:
        """Articles by publish month ("2017-07"), oldest first: what each month's sitemap lists."""
        return {
            month: tuple(items)
            for month, items in groupby(self.articles, key=lambda a: f"{a.published_at:%Y-%m}")
        }

    @property
    def first_day(self) -> date:
        return self.articles[0].published_at.date()

    @property
    def last_day(self) -> date:
        return self.articles[-1].published_at.date()


class CorpusView(Protocol):
    """What the pages are rendered from: the built `Corpus`, or a `decade.DecadeCorpus` that
    derives each article on request (150,000 articles are never held at once)."""

    @property
    def articles(self) -> Sequence[CorpusArticle]: ...  # oldest first

    @property
    def sections(self) -> tuple[Section, ...]: ...

    @property
    def by_path(self) -> Mapping[str, CorpusArticle]: ...

    @property
    def by_section(self) -> Mapping[str, Sequence[CorpusArticle]]: ...  # newest first

    @property
    def by_month(self) -> Mapping[str, Sequence[CorpusArticle]]: ...  # oldest first

    @property
    def first_day(self) -> date: ...

    @property
    def last_day(self) -> date: ...
