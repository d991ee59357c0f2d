"""The site profile of baolangson.vn: every selector the parser uses, as data.

Most of these rules are inferred, not confirmed (see shared/docs/site-notes.md), so each is a
named `Rule` in an ordered tuple: changing a selector is a one-line edit here, and the name of
the rule that produced a field is recorded in `Article.provenance`, so layout drift shows up
in the data instead of as silently empty fields.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """One way to find one field: a CSS selector, read as element text or as an attribute."""

    name: str  # provenance label, e.g. "current:h1.name" or "meta:og:title"
    selector: str
    attr: str | None = None  # None: the element's text
    pick: int = 0  # which match to use when several match (-1: the last)
    many: bool = False  # collect every match (tags), not one
    # Look where the page's <meta>/<link> elements are (`Page.head`: <head>, unless a stray
    # element pushed some into <body>); a query there skips the ~150 KB of page chrome.
    in_head: bool = False


@dataclass(frozen=True)
class Layout:
    """One CMS generation's article page. Rules inside the body are relative to the container."""

    name: str
    detector: str  # present on every article page of this generation
    body: tuple[Rule, ...]
    headline: tuple[Rule, ...]
    published_at: tuple[Rule, ...]
    sapo: tuple[Rule, ...]  # a bold lead inside the body container
    byline: tuple[Rule, ...]
    # The breadcrumb trail, every entry (home entries skipped): the first is the section (the
    # top level), the next the subsection.
    section: tuple[Rule, ...]
    tags: tuple[Rule, ...]  # the links of a visible tag box, after the <head> metadata's
    # Visible "last updated" lines: only the text after one of `SiteProfile.modified_labels`
    # counts, so a rule may point at the publish date's own element.
    modified_at: tuple[Rule, ...]
    captions: tuple[Rule, ...]  # caption elements inside an image holder (figure, table, p)
    galleries: tuple[Rule, ...]
    drop: tuple[str, ...]  # furniture removed before anything is read


@dataclass(frozen=True)
class Metadata:
    """`<head>` metadata rules shared by all layouts; they win over visible dates."""

    published_at: tuple[Rule, ...]
    modified_at: tuple[Rule, ...]
    authors: tuple[Rule, ...]
    tags: tuple[Rule, ...]
    canonical: Rule


@dataclass(frozen=True)
class PathRule:
    """Section and subsection slugs in an article URL's path, used when no breadcrumb names them."""

    name: str  # provenance label
    pattern: str  # a regular expression with named groups `section` and `subsection`


@dataclass(frozen=True)
class SiteProfile:
    name: str
    layouts: tuple[Layout, ...]  # tried in order; the first whose detector matches wins
    fallback: Layout  # generic extraction for pages no layout recognises
    metadata: Metadata
    path_sections: tuple[PathRule, ...]
    # A visible line "Cập nhật: 15:40 12/05/2025" gives the modification time, never the
    # publish date: text from one of these (lower-case) labels on is no publish date.
    modified_labels: tuple[str, ...]
    title_suffixes: tuple[str, ...]  # cut from <title> / og:title
    site_names: tuple[str, ...]  # an "author" equal to one of these is the paper, not a person
    home_labels: tuple[str, ...]  # breadcrumb entries that are not a section
    soft_404_markers: tuple[str, ...]  # lower-case phrases of a "not found" page served as 200
    min_body_chars: int  # a shorter body is a failed parse, not an article
    listing_min_links: int  # this many article links and no article body: a listing page
    # An unrecognised page whose densest block has at most this many paragraphs, among that
    # many article links, is a listing: one story summary is not an article body.
    listing_max_paragraphs: int


def meta(prop: str, many: bool = False) -> Rule:
    return Rule(f"meta:{prop}", f"meta[property='{prop}']", "content", many=many, in_head=True)


def meta_name(name: str) -> Rule:
    return Rule(f"meta:{name}", f"meta[name='{name}']", attr="content", in_head=True)


def css(
    layout: str, selector: str, attr: str | None = None, pick: int = 0, many: bool = False
) -> Rule:
    return Rule(f"{layout}:{selector}", selector, attr=attr, pick=pick, many=many)


OG_TITLE = meta("og:title")
TITLE_TAG = Rule("html:title", "title")
# Tags every layout drops: never article text.
COMMON_DROP = ("script", "style", "noscript", "iframe", "form", "button", "select", "svg")
COMMON_CAPTIONS = (
    Rule("html:figcaption", "figcaption"),
    Rule("html:td.caption", ".caption"),
    Rule("html:em", "em"),
)

CURRENT = Layout(
    name="current",
    detector="div#content-detail",  # [C]
    body=(css("current", "div#content-detail"),),  # [C]
    headline=(css("current", "h1.name"), OG_TITLE, TITLE_TAG),  # [I]
    # [I] text ends in a "[GMT+7]"-like part, cut. Every match is a candidate, in page order:
    # a page header may reuse the class for today's date, which the date rules then reject.
    published_at=(css("current", "div.date", many=True),),
    # [I] the first `p > strong` of the body, taken only when its paragraph is the body's
    # first and mostly bold (else a lead opening with "LSO-" is recognised by its dateline)
    sapo=(css("current", "p > strong"),),
    byline=(css("current", "div.pseudonym"),),  # [I] else the last short capitals paragraph
    section=(css("current", "div.breadcrumbs ol.breadcrumb li a", many=True),),  # [I]
    tags=(css("current", "div.tags a", many=True),),  # [?] "Từ khóa:" and one link a tag
    modified_at=(css("current", "div.date", many=True),),  # [?] "… | Cập nhật: 15:40 12/05/2025"
    captions=COMMON_CAPTIONS,
    galleries=(css("current", "div.detail.auto-gallery"),),  # [I]
    drop=(*COMMON_DROP, "div.block-news-list"),  # [I] "Cùng chuyên mục"
)

# Older CMS: from an older crawler config (2019) and 2020–2021 copies; all [I] but the URLs.
LEGACY = Layout(
    name="legacy",
    detector="div.content p",
    body=(css("legacy", "div.content"),),  # text from its <p>s
    headline=(css("legacy", "h1.title"), css("legacy", "h1"), OG_TITLE, TITLE_TAG),
    published_at=(css("legacy", "p.post-date", many=True),),  # "15:47 | 26/07/2017"
    sapo=(css("legacy", "p > strong"),),  # "div.content p strong"
    # images/captions: a <p> or table holding an <img>; caption in its <em>, or in the
    # following <p><em>/<p><strong> (that adjacency rule is code: lso_etl.extract.body)
    byline=(),  # the byline is the last capitals paragraph of div.content
    section=(css("legacy", "div.breadcrumb a", many=True),),  # "Trang chủ > Section > Column"
    tags=(css("legacy", "div.keywords a", many=True),),  # [?]
    modified_at=(
        css("legacy", "p.post-date", many=True),
    ),  # [?] "… - Cập nhật: 09:05 | 27/07/2017"
    captions=COMMON_CAPTIONS,
    galleries=(),
    drop=COMMON_DROP,
)

FALLBACK = Layout(
    name="fallback",
    detector="body",
    # trafilatura's main content (lso_etl.extract.fallback_body); "fallback:densest-p" here
    # instead gives the element whose own <p>s hold the most text (lso_etl.extract.detect).
    body=(Rule("fallback:trafilatura", "body"),),
    headline=(OG_TITLE, Rule("fallback:h1", "h1"), TITLE_TAG),
    published_at=(Rule("fallback:near-headline", "h1"),),  # a date just after the headline
    sapo=(Rule("fallback:p > strong", "p > strong"),),
    byline=(),
    section=(meta("article:section"),),
    tags=(),
    modified_at=(),
    captions=COMMON_CAPTIONS,
    galleries=(),
    # Only the page's own header/footer: an <article> may hold a <header> with h1 and date.
    drop=(*COMMON_DROP, "nav", "aside", "body > header", "body > footer"),
)

METADATA = Metadata(
    published_at=(
        meta("article:published_time"),
        Rule("jsonld:datePublished", "datePublished"),  # selector: the JSON-LD key
        Rule("meta:itemprop=datePublished", "[itemprop='datePublished']", attr="content"),
        Rule("html:time[datetime]", "article time[datetime]", attr="datetime"),
    ),
    modified_at=(
        meta("article:modified_time"),
        Rule("jsonld:dateModified", "dateModified"),
    ),
    authors=(
        meta_name("author"),
        Rule("jsonld:author", "author"),
    ),
    tags=(
        meta("article:tag", many=True),
        Rule("jsonld:keywords", "keywords", many=True),
    ),
    canonical=Rule("html:link[rel=canonical]", "link[rel='canonical']", "href", in_head=True),
)

PROFILE = SiteProfile(
    name="baolangson.vn",
    layouts=(CURRENT, LEGACY),
    fallback=FALLBACK,
    metadata=METADATA,
    path_sections=(
        # older CMS: /{section}/{subsection}/{id}-{slug}.html [C]; the current CMS has none
        PathRule(
            "url:legacy-path", r"^/(?P<section>[a-z0-9-]+)/(?:(?P<subsection>[a-z0-9-]+)/)?\d{4,6}-"
        ),
    ),
    modified_labels=("cập nhật", "sửa đổi", "chỉnh sửa"),
    title_suffixes=(" - Báo Lạng Sơn", " – Báo Lạng Sơn", " | Báo Lạng Sơn"),
    site_names=("báo lạng sơn", "baolangson", "baolangson.vn", "lạng sơn online"),
    home_labels=("trang chủ", "home", ""),
    soft_404_markers=(
        "không tìm thấy",
        "không tồn tại",
        "đã bị xóa",
        "đã bị xoá",
        "404",
        "page not found",
        "not found",
    ),
    min_body_chars=150,
    listing_min_links=5,
    listing_max_paragraphs=1,
)
