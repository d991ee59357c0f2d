"""HTML of the replay's pages: articles in both CMS layouts (shapes: /tmp/lso-spec/layouts.md),
section listings, the home page and the soft-404. Pure: same inputs, same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from lso_etl.replay.chrome import (
    CANONICAL,
    FOOTER_TEXT,
    attr,
    current_shell,
    entities,
    esc,
    link_list,
    padding,
    story_list,
    weekday,
)
from lso_etl.replay.corpus import slugify
from lso_etl.replay.model import CorpusArticle, CorpusView, Style

PER_PAGE = 12
HOME_ITEMS = 20
LEGACY_SUFFIX = " - Báo Lạng Sơn: Tin tức mới nhất về chính trị, kinh tế, xã hội, văn hóa"


def render_article(
    article: CorpusArticle, corpus: CorpusView, *, today: date, pad_kb: int = 0
) -> str:
    """The article's page in its own layout; `today` goes in the header (the header trap)."""
    if article.layout == REDESIGNED:
        page = redesign(_current(article, corpus, today))
    elif article.layout == "current":
        page = _current(article, corpus, today)
    else:
        page = _legacy(article, corpus, today)
    need = pad_kb * 1024 - len(page.encode())
    if need <= 0:
        return page
    # Real pages are ~150 KB, mostly chrome: pad outside the article, before the footer.
    footer = '<footer class="site-footer">' if article.layout == "current" else '<div id="footer">'
    number = int(article.article_id.split(":")[1])
    return page.replace(footer, padding(corpus, number, need) + "\n" + footer, 1)


# A layout no site profile knows: the current page with its article containers renamed, as
# when the site ships new markup. Tests serve part of the corpus in it (`site.edit(path,
# layout=REDESIGNED)`) to see layout drift; the parser's generic extraction reads it.
REDESIGNED = "redesigned"


def redesign(page: str) -> str:
    return page.replace('class="article-detail"', 'class="story-main"').replace(
        'id="content-detail"', 'class="story-text"'
    )


def _current(article: CorpusArticle, corpus: CorpusView, today: date) -> str:
    when = article.published_at
    head = (
        f'<meta property="og:title" content="{attr(article.headline)}">\n'
        '<meta property="og:type" content="article">\n'
        + (
            f'<meta property="article:published_time" content="{when.isoformat()}">\n'
            if article.has_meta_date
            else ""
        )
        + (
            f'<meta property="article:modified_time" content="{article.modified_at.isoformat()}">\n'
            if article.has_meta_date and article.modified_at
            else ""
        )
        + f'<link rel="canonical" href="{CANONICAL}{article.path}">\n'
    )
    pseudonym = (
        f'\n  <div class="pseudonym">{esc(article.byline_raw or "")}</div>'
        if article.style.byline_place == "pseudonym"
        else ""
    )
    updated = f" | Cập nhật: {article.modified_at:%d/%m/%Y %H:%M}" if article.modified_at else ""
    main = (
        '<div class="breadcrumbs"><ol class="breadcrumb"><li><a href="/">Trang chủ</a></li>'
        f'<li><a href="/{article.section_slug}">{esc(article.section)}</a></li>'
        f"{_crumb(article)}</ol></div>\n"
        '<div class="article-detail">\n'
        f'  <h1 class="name">{esc(article.headline)}</h1>\n'
        f'  <div class="date">{weekday(when)}, {when:%d/%m/%Y %H:%M} [GMT+7]{updated}</div>\n'
        f'  <div id="content-detail">\n{_body(article, corpus)}\n  </div>{pseudonym}\n'
        f"{_tag_box(article, 'tags', '<span>Từ khóa:</span> ', ' ')}</div>\n"
        '<div class="block-news-list"><h3 class="title">Cùng chuyên mục</h3>'
        f"<ul>{link_list(_related(article, corpus))}</ul></div>"
    )
    return current_shell(corpus, today, article.headline, head, main)


def _legacy(article: CorpusArticle, corpus: CorpusView, today: date) -> str:
    sub_slug, sub_name = article.style.subsection or ("", "")
    section = f"/{article.section_slug}"
    menu = "".join(f'<li><a href="/{s.slug}">{esc(s.name)}</a></li>' for s in corpus.sections)
    changed = article.modified_at
    updated = f" - Cập nhật: {changed:%H:%M | %d/%m/%Y}" if changed else ""
    return (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
        f"<title>{entities(article.headline + LEGACY_SUFFIX)}</title></head>\n<body>\n"
        f'<div id="header"><div class="date-time">{weekday(today).capitalize()},&nbsp; '
        f'{today:%d/%m/%Y}</div>\n  <ul class="menu">{menu}</ul></div>\n<div id="main">\n'
        f' <div class="breadcrumb"><a href="/">Trang chủ</a> &gt; <a href="{section}">'
        f'{esc(article.section)}</a> &gt; <a href="{section}/{sub_slug}">{esc(sub_name)}</a></div>\n'
        ' <div class="article">\n'
        f'  <h1 class="title">{esc(article.headline)}</h1>\n'
        f'  <p class="post-date">{article.published_at:%H:%M | %d/%m/%Y}{updated}</p>\n'
        f'  <div class="content">\n{_body(article, corpus)}\n'
        f"{_tag_box(article, 'keywords', 'Từ khóa: ', ', ')}  </div>\n"
        '  <div class="other-news"><h3>Tin liên quan</h3>'
        f"<ul>{link_list(_related(article, corpus))}</ul></div>\n </div>\n</div>\n"
        f'<div id="footer">{esc(FOOTER_TEXT)}</div></body></html>\n'
    )


def _crumb(article: CorpusArticle) -> str:
    """The current CMS's second breadcrumb level, when the article has one."""
    if article.subsection is None:
        return ""
    href = f"/{article.section_slug}/{article.subsection_slug}"
    return f'<li><a href="{href}">{esc(article.subsection)}</a></li>'


def _tag_box(article: CorpusArticle, css_class: str, label: str, between: str) -> str:
    """The tag box: a label, then one link per tag (none when the article has no tags)."""
    if not article.tags:
        return ""
    links = between.join(f'<a href="/tag/{slugify(t)}">{esc(t)}</a>' for t in article.tags)
    return f'  <div class="{css_class}">{label}{links}</div>\n'


def _body(article: CorpusArticle, corpus: CorpusView) -> str:
    """The body container's blocks: bold lead, figures, paragraphs, inline box, source, byline."""
    style, legacy = article.style, article.layout == "legacy"
    figures = [
        _figure(style.caption_style, legacy, s, c)
        for s, c in zip(article.images, article.captions, strict=True)
    ]
    blocks = [f"<p><strong>{esc(style.dateline_form + article.sapo)}</strong></p>", *figures[:1]]
    count = len(article.paragraphs)
    figure_before = {i * count // len(figures): figures[i] for i in range(1, len(figures))}
    related_before = max(1, 2 * count // 3) if style.related_inline else -1
    for index, text in enumerate(article.paragraphs):
        if index in figure_before:
            blocks.append(figure_before[index])
        if index == related_before:
            links = link_list([corpus.by_path[p] for p in style.related_inline])
            blocks.append(
                f'<div class="related-inline"><p><strong>Tin liên quan</strong></p><ul>{links}</ul></div>'
            )
        blocks.append(f"<p>{_odd_spaces(text, index, style)}</p>")
    if style.source_line:
        blocks.append(f"<p>{esc(style.source_line)}</p>")
    if style.byline_place == "body":
        align = ' style="text-align:right"' if legacy else ""
        blocks.append(f"<p{align}><strong>{esc(article.byline_raw or '')}</strong></p>")
    return "\n".join(blocks)


def _figure(style: str, legacy: bool, src: str, caption: str) -> str:
    img, text = f'<img src="{src}" alt="{attr(caption)}">', esc(caption)
    if style == "figure":
        return f'<figure class="image">{img}<figcaption>{text}</figcaption></figure>'
    if style == "alt_em":  # the caption twice: image alt, then an em paragraph
        return f'<p style="text-align:center">{img}</p>\n<p style="text-align:center"><em>{text}</em></p>'
    if style == "strong":  # rare on the old CMS: a bold paragraph under an image without alt
        return f'<p style="text-align:center"><img src="{src}" alt=""></p>\n<p><strong>{text}</strong></p>'
    cell = "<td>" if legacy else '<td class="caption">'
    table = "<table>" if legacy else '<table class="image">'
    return (
        f"{table}<tbody><tr><td>{img}</td></tr><tr>{cell}<em>{text}</em></td></tr></tbody></table>"
    )


def _odd_spaces(text: str, index: int, style: Style) -> str:
    """The paragraph as printed: one space may be &nbsp;, one may carry a zero-width space."""
    words = [esc(word) for word in text.split(" ")]
    gaps = [" "] * (len(words) - 1)
    if style.nbsp and style.nbsp[0] == index:
        gaps[style.nbsp[1]] = "&nbsp;"
    if style.zwsp and style.zwsp[0] == index:
        gaps[style.zwsp[1]] += "\u200b"
    return words[0] + "".join(gap + word for gap, word in zip(gaps, words[1:], strict=True))


def _related(article: CorpusArticle, corpus: CorpusView) -> list[CorpusArticle]:
    """Five other stories of the section, nearest in time: older first, then newer."""
    siblings = corpus.by_section[article.section_slug]
    at = siblings.index(article)
    older = list(siblings[at + 1 : at + 6])
    newer = list(siblings[max(0, at - (5 - len(older))) : at])
    return older + newer


def listing_items(corpus: CorpusView, slug: str, page: int) -> Sequence[CorpusArticle] | None:
    """One listing page's articles, newest first; None when the section or page does not exist."""
    items = corpus.by_section.get(slug)
    if items is None or page < 1 or (page > 1 and (page - 1) * PER_PAGE >= len(items)):
        return None
    return items[(page - 1) * PER_PAGE : page * PER_PAGE]


def render_listing(corpus: CorpusView, slug: str, page: int, *, today: date) -> str | None:
    items = listing_items(corpus, slug, page)
    section = next((s for s in corpus.sections if s.slug == slug), None)
    if items is None or section is None:
        return None
    more = page * PER_PAGE < len(corpus.by_section[slug])
    pagination = (
        f'<ul class="pagination"><li><a href="/{slug}?page={page + 1}" rel="next">Trang sau</a></li></ul>'
        if more
        else ""
    )
    main = (
        '<div class="breadcrumbs"><ol class="breadcrumb"><li><a href="/">Trang chủ</a></li>'
        f'<li><a href="/{slug}">{esc(section.name)}</a></li></ol></div>\n'
        f'<h1 class="cat-title">{esc(section.name)}</h1>\n{story_list(items)}\n{pagination}'
    )
    title = section.name if page == 1 else f"{section.name} - Trang {page}"
    return current_shell(corpus, today, title, "", main)


def render_home(corpus: CorpusView, *, today: date) -> str:
    newest = corpus.articles[::-1][:HOME_ITEMS]
    sections = "".join(f'<li><a href="/{s.slug}">{esc(s.name)}</a></li>' for s in corpus.sections)
    main = (
        f'<h2 class="box-title">Tin mới nhất</h2>\n{story_list(newest)}\n'
        f'<div class="home-sections"><h2 class="box-title">Chuyên mục</h2><ul>{sections}</ul></div>'
    )
    return current_shell(corpus, today, "Trang chủ", "", main)


def render_not_found(corpus: CorpusView, *, today: date) -> str:
    """The soft-404: full site chrome around a short notice (served with HTTP 404)."""
    main = (
        '<div class="not-found"><h1>Không tìm thấy trang</h1>'
        "<p>Trang bạn tìm không tồn tại hoặc đã bị xóa. Mời bạn quay lại "
        '<a href="/">Trang chủ</a>.</p></div>\n'
        f'<h2 class="box-title">Tin mới</h2>\n{story_list(corpus.articles[::-1][:5])}'
    )
    return current_shell(corpus, today, "Không tìm thấy trang", "", main)
