"""Page chrome shared by the replay's pages: escaping, dates as the site prints them, shells, padding."""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from html.entities import codepoint2name
from itertools import count

from lso_etl.replay.model import CorpusArticle, CorpusView

CANONICAL = "https://baolangson.vn"
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
CSS = (
    "body{margin:0;font:15px/1.6 Arial,Helvetica,sans-serif;color:#222}"
    ".container{max-width:1140px;margin:0 auto;padding:0 12px}"
    ".site-header{background:#0b5394;color:#fff}.menu ul{list-style:none;margin:0;padding:0}"
    ".menu li{display:inline-block;padding:8px 10px}.menu a{color:#fff;text-decoration:none}"
    "h1.name{font-size:28px;line-height:1.3}.date{color:#777;font-size:13px}"
    "#content-detail p{margin:0 0 12px;text-align:justify}"
    ".pseudonym{text-align:right;font-weight:bold}.site-footer{background:#eee;padding:16px}"
)
FOOTER_TEXT = (
    "Báo Lạng Sơn – Cơ quan của Đảng bộ tỉnh Lạng Sơn. Giấy phép hoạt động báo chí điện tử "
    "do Bộ Thông tin và Truyền thông cấp. Địa chỉ: thành phố Lạng Sơn, tỉnh Lạng Sơn. "
    "Điện thoại và thư điện tử: xem trang Liên hệ. Ghi rõ nguồn “Báo Lạng Sơn” khi phát hành "
    "lại thông tin từ website này."
)


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def attr(text: str) -> str:
    return html.escape(text, quote=True)


def entities(text: str) -> str:
    """Text with every character that has an HTML 4 name written as that entity (the site's <title>)."""
    return "".join(f"&{codepoint2name[ord(c)]};" if ord(c) in codepoint2name else c for c in text)


def weekday(day: date | datetime) -> str:
    return WEEKDAYS[day.weekday()]


def list_time(when: datetime) -> str:
    return f"{when:%d/%m/%Y %H:%M}"


def menu(corpus: CorpusView) -> str:
    items = "".join(f'<li><a href="/{s.slug}">{esc(s.name)}</a></li>' for s in corpus.sections)
    return f'<li><a href="/">Trang chủ</a></li>{items}'


def link_list(articles: Sequence[CorpusArticle]) -> str:
    return "".join(f'<li><a href="{a.path}">{esc(a.headline)}</a></li>' for a in articles)


def story_list(articles: Sequence[CorpusArticle]) -> str:
    """The listing markup shared by the home page and the section pages."""
    stories = "".join(
        f'<article class="story"><h3 class="story__title"><a href="{a.path}">{esc(a.headline)}</a>'
        f'</h3><time class="story__time" datetime="{a.published_at.isoformat()}">'
        f"{list_time(a.published_at)}</time></article>"
        for a in articles
    )
    return f'<div class="list-news">{stories}</div>'


def current_shell(corpus: CorpusView, today: date, title: str, head: str, main: str) -> str:
    """A page of the current CMS around `main`: header with today's date, menu, footer."""
    return (
        '<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{entities(title + ' - Báo Lạng Sơn')}</title>\n{head}"
        f"<style>{CSS}</style></head>\n<body>\n"
        '<header class="site-header">\n'
        f'  <div class="top-date">{weekday(today)}, {today:%d/%m/%Y}</div>\n'
        f'  <nav class="menu"><ul>{menu(corpus)}</ul></nav>\n</header>\n'
        f'<main><div class="container">\n{main}\n</div></main>\n'
        f'<footer class="site-footer">{esc(FOOTER_TEXT)}</footer>\n</body></html>\n'
    )


def padding(corpus: CorpusView, start: int, need: int) -> str:
    """Sidebar boxes, ad-slot scripts and styles (like the real site's) until `need` bytes are added."""
    parts: list[str] = []
    size = 0
    for chunk in _chunks(corpus, start):
        if size >= need:
            break
        parts.append(chunk)
        size += len(chunk.encode())
    return f'<aside class="sidebar">{"".join(parts)}</aside>' if parts else ""


def _chunks(corpus: CorpusView, start: int) -> Iterator[str]:
    articles = corpus.articles
    for i in count():
        picks = [articles[(start + 7 * (8 * i + j)) % len(articles)] for j in range(8)]
        title = ("Đọc nhiều", "Tin mới", "Tiêu điểm", "Xứ Lạng hôm nay")[i % 4]
        yield f'<div class="box-news box-{i}"><h3 class="box-title">{title}</h3><ul>{link_list(picks)}</ul></div>'
        slots = ",".join(
            f'{{"id":"ads-{i}-{j}","sizes":[[300,250],[300,600]],"zone":"sidebar-{j}","lazy":true}}'
            for j in range(6)
        )
        yield f"<script>window.adSlots=window.adSlots||[];window.adSlots.push({slots});</script>"
        rules = "".join(
            f".box-{i} li:nth-child({j}) a{{display:block;padding:6px 0;border-bottom:1px dotted #ddd}}"
            for j in range(1, 9)
        )
        yield f"<style>{rules}</style>"
