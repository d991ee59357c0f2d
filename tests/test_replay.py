"""The replay site: its corpus holds checkable truth, its pages print that truth, its server behaves."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import date, datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser, LexborNode

from lso_etl.replay.chrome import WEEKDAYS
from lso_etl.replay.corpus import build_corpus
from lso_etl.replay.model import Corpus, CorpusArticle
from lso_etl.replay.render import PER_PAGE, render_article
from lso_etl.replay.server import ReplaySite
from lso_etl.site.urls import classify

TODAY = date(2021, 10, 24)  # a Sunday, years after every article: the header trap's date
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def clean(text: str) -> str:
    """What a parser's text cleaning makes of printed text: no zero-width, plain single spaces."""
    return " ".join(text.replace("\u200b", "").split())


def texts(nodes: list[LexborNode]) -> list[str]:
    return [clean(node.text()) for node in nodes]


def one(tree: LexborHTMLParser | LexborNode, selector: str) -> LexborNode:
    node = tree.css_first(selector)
    assert node is not None, f"no {selector}"
    return node


# --- the corpus -----------------------------------------------------------------------------


def test_corpus_is_deterministic(corpus: Corpus) -> None:
    assert build_corpus() == corpus
    assert build_corpus(seed=7).articles != corpus.articles


def test_corpus_size_span_and_order(corpus: Corpus) -> None:
    articles = corpus.articles
    assert len(articles) >= 300
    assert (corpus.last_day - corpus.first_day).days >= 120
    assert list(articles) == sorted(articles, key=lambda a: a.published_at)
    assert len({a.headline for a in articles}) == len(articles)
    for article in articles:
        when = article.published_at
        assert when.utcoffset() == timedelta(hours=7)
        assert 6 <= when.hour <= 21
        assert 3 <= len(article.paragraphs) <= 8
        assert len(article.images) == len(article.captions) <= 3
    legacy_share = sum(a.layout == "legacy" for a in articles) / len(articles)
    assert 0.30 <= legacy_share <= 0.40


def test_every_url_classifies_with_its_generation_and_id(corpus: Corpus) -> None:
    last = {"new": 0, "old": 0}
    for article in corpus.articles:  # oldest first: each CMS's ids increase with date
        found = classify(f"https://baolangson.vn{article.path}")
        assert found is not None, article.path
        assert found.article_id == article.article_id
        assert found.generation == ("new" if article.layout == "current" else "old")
        low, high = (5_000_000, 5_099_999) if found.generation == "new" else (280_000, 330_000)
        assert low <= found.number <= high
        assert found.number > last[found.generation]
        last[found.generation] = found.number


def _variants(article: CorpusArticle) -> list[str]:
    style = article.style
    found = [
        f"dateline {style.dateline_form!r}",
        f"byline {style.byline_kind}",
        f"{article.layout} caption {style.caption_style}",
        f"{len(article.images)} images",
        f"{article.layout} byline in {style.byline_place}",
    ]
    found += [f"author {a}" for a in article.authors if a in ("BBT", "PV", "Nhóm PV")]
    if style.source_line:
        found += [f"source {style.source_line}", f"source with {bool(article.authors)} authors"]
    flags = {
        "inline related box": bool(style.related_inline),
        "meta date": article.has_meta_date,
        "nbsp": style.nbsp is not None,
        "zwsp": style.zwsp is not None,
        "slug disagrees with headline": style.slug_mismatch,
    }
    return found + [name for name, present in flags.items() if present]


def test_every_trap_appears_at_least_three_times(corpus: Corpus) -> None:
    seen = Counter(v for article in corpus.articles for v in _variants(article))
    wanted = [
        *(f"dateline {form!r}" for form in ("LSO-", "LSO- ", "(LSO) - ", "", "- ")),
        *(f"byline {kind}" for kind in ("single", "several", "role", "token")),
        *("current caption table", "current caption figure"),
        *("legacy caption alt_em", "legacy caption table", "legacy caption strong"),
        *(f"{n} images" for n in range(4)),
        "current byline in pseudonym",
        "current byline in body",  # the bold byline after the bold lead
        "legacy byline in body",
        *("author BBT", "author PV", "author Nhóm PV"),
        *(f"source {line}" for line in ("Theo TTXVN", "(Theo Báo Nhân Dân)", "Nguồn: VOV")),
        *("source with True authors", "source with False authors"),
        *("inline related box", "meta date", "nbsp", "zwsp", "slug disagrees with headline"),
    ]
    assert {name: seen[name] for name in wanted if seen[name] < 3} == {}
    current = [a for a in corpus.articles if a.layout == "current"]
    assert 0.35 <= sum(a.has_meta_date for a in current) / len(current) <= 0.65


def test_subsections_tags_and_modification_times_show_in_both_layouts(corpus: Corpus) -> None:
    """A realistic share, not every page: most pages of a provincial paper carry none."""
    for layout in ("current", "legacy"):
        pages = [a for a in corpus.articles if a.layout == layout]
        for name, share in (
            ("subsection", sum(a.subsection is not None for a in pages) / len(pages)),
            ("tags", sum(bool(a.tags) for a in pages) / len(pages)),
            ("modified", sum(a.modified_at is not None for a in pages) / len(pages)),
        ):
            low = 0.05 if name == "modified" else 0.2
            assert low <= share <= (1.0 if layout == "legacy" and name == "subsection" else 0.7)
    changed = [a for a in corpus.articles if a.modified_at is not None]
    assert all(a.published_at < a.modified_at for a in changed)
    assert all(a.modified_at.date() == a.published_at.date() for a in changed)


def test_expected_authors_are_title_cased(corpus: Corpus) -> None:
    several = next(a for a in corpus.articles if a.style.byline_kind == "several")
    separator = " – " if " – " in (several.byline_raw or "") else " - "
    assert [name.upper() for name in several.authors] == (several.byline_raw or "").split(separator)
    role = next(a for a in corpus.articles if a.style.byline_kind == "role")
    assert (role.byline_raw or "").endswith(role.authors[0].upper())
    assert all(
        word[0].isupper() for a in corpus.articles for name in a.authors for word in name.split()
    )


# --- the pages print the truth --------------------------------------------------------------


def _check_article_page(article: CorpusArticle, page: str) -> None:
    tree = LexborHTMLParser(page)
    current = article.layout == "current"
    box = one(tree, "#content-detail" if current else "div.article > div.content")
    paragraphs = texts(box.css("#content-detail > p" if current else "div.content > p"))
    assert paragraphs[0] == clean(article.style.dateline_form + article.sapo)
    body = iter(paragraphs)
    assert all(p in body for p in article.paragraphs), "body paragraphs missing or out of order"
    tail = [article.style.source_line] if article.style.source_line else []
    if article.style.byline_place == "body":
        tail.append(article.byline_raw)
    assert paragraphs[len(paragraphs) - len(tail) :] == tail
    pseudonym = tree.css_first("div.pseudonym")
    assert (pseudonym.text() if pseudonym else None) == (
        article.byline_raw if article.style.byline_place == "pseudonym" else None
    )
    assert [img.attributes["src"] for img in box.css("img")] == list(article.images)
    assert all(caption in clean(box.text()) for caption in article.captions)
    related = box.css("div.related-inline a")
    assert tuple(a.attributes["href"] for a in related) == article.style.related_inline
    assert clean(one(tree, "h1").text()) == article.headline


def _check_article_head(article: CorpusArticle, page: str, today: date) -> None:
    tree = LexborHTMLParser(page)
    raw_title = re.search(r"<title>(.*?)</title>", page)
    assert raw_title and "B&aacute;o" in raw_title[1]  # named entities, as on the real site
    assert html.unescape(raw_title[1]).startswith(article.headline + " - Báo Lạng Sơn")
    when, shown = article.published_at, f"{today:%d/%m/%Y}"
    meta = tree.css_first('meta[property="article:published_time"]')
    assert (meta.attributes["content"] if meta else None) == (
        when.isoformat() if article.has_meta_date else None
    )
    if article.layout == "current":
        assert one(tree, "div.top-date").text() == f"{WEEKDAYS[today.weekday()]}, {shown}"
        date_text = f"{WEEKDAYS[when.weekday()]}, {when:%d/%m/%Y %H:%M} [GMT+7]"
        changed = article.modified_at
        updated = f" | Cập nhật: {changed:%d/%m/%Y %H:%M}" if changed else ""
        assert one(tree, "div.date").text() == date_text + updated
        meta_changed = tree.css_first('meta[property="article:modified_time"]')
        assert (meta_changed.attributes["content"] if meta_changed else None) == (
            changed.isoformat() if changed and article.has_meta_date else None
        )
        crumbs, tags = "div.breadcrumbs ol.breadcrumb li a", "div.tags a"
    else:
        header = one(tree, "div#header div.date-time").text()
        assert header == f"{WEEKDAYS[today.weekday()].capitalize()},\xa0 {shown}"
        changed = article.modified_at
        updated = f" - Cập nhật: {changed:%H:%M | %d/%m/%Y}" if changed else ""
        assert one(tree, "p.post-date").text() == f"{when:%H:%M | %d/%m/%Y}{updated}"
        crumbs, tags = "div.breadcrumb a", "div.content div.keywords a"
    levels = [article.section, *([article.subsection] if article.subsection else [])]
    assert [a.text() for a in tree.css(crumbs)][1:] == levels  # after "Trang chủ"
    assert tuple(a.text() for a in tree.css(tags)) == article.tags
    assert f"{when:%d/%m/%Y}" not in one(tree, "div.top-date, div.date-time").text()


def test_every_page_prints_its_truth(corpus: Corpus) -> None:
    for article in corpus.articles:
        page = render_article(article, corpus, today=TODAY)
        _check_article_page(article, page)
        _check_article_head(article, page, TODAY)
        legacy_header_nbsp = article.layout == "legacy"
        assert page.count("&nbsp;") == legacy_header_nbsp + (article.style.nbsp is not None)
        assert ("\u200b" in page) == (article.style.zwsp is not None)


# --- the server -----------------------------------------------------------------------------


def test_robots_txt(corpus: Corpus) -> None:
    with ReplaySite(corpus, crawl_delay=2.5, extra_disallow=("/private/",)) as site:
        response = httpx.get(f"{site.base_url}/robots.txt")
    lines = response.text.splitlines()
    assert response.headers["content-type"].startswith("text/plain")
    assert lines[0] == "User-agent: *"
    assert "Crawl-delay: 2.5" in lines
    assert {"Disallow: /admin/", "Disallow: /tim-kiem", "Disallow: /private/"} <= set(lines)
    assert f"Sitemap: {site.base_url}/sitemap.xml" in lines


def test_sitemaps_list_every_article_once(replay: ReplaySite, corpus: Corpus) -> None:
    listed: list[tuple[str, datetime]] = []
    with httpx.Client() as client:
        index = ET.fromstring(client.get(f"{replay.base_url}/sitemap.xml").content)
        assert index.tag == f"{SITEMAP}sitemapindex"
        for entry in index.iter(f"{SITEMAP}sitemap"):
            month_url = entry.findtext(f"{SITEMAP}loc") or ""
            assert month_url.startswith(f"{replay.base_url}/sitemaps/")
            urlset = ET.fromstring(client.get(month_url).content)
            for url in urlset.iter(f"{SITEMAP}url"):
                lastmod = datetime.fromisoformat(url.findtext(f"{SITEMAP}lastmod") or "")
                listed.append((url.findtext(f"{SITEMAP}loc") or "", lastmod))
    expected = [(f"https://baolangson.vn{a.path}", a.published_at) for a in corpus.articles]
    assert Counter(listed) == Counter(expected)  # each once, with its publish time as lastmod


def test_listing_pagination_walks_each_section_once(replay: ReplaySite, corpus: Corpus) -> None:
    with httpx.Client(base_url=replay.base_url) as client:
        for section in corpus.sections:
            seen: list[str] = []
            url: str | None = f"/{section.slug}"
            while url:
                tree = LexborHTMLParser(client.get(url).text)
                items = tree.css("div.list-news article.story")
                assert 0 < len(items) <= PER_PAGE
                for item in items:
                    path = one(item, "h3.story__title a").attributes["href"] or ""
                    stamp = one(item, "time.story__time").attributes["datetime"] or ""
                    assert datetime.fromisoformat(stamp) == corpus.by_path[path].published_at
                    seen.append(path)
                after = tree.css_first('ul.pagination a[rel="next"]')
                url = after.attributes["href"] if after else None
            assert seen == [a.path for a in corpus.by_section[section.slug]]  # newest first
    assert {a.layout for a in corpus.by_section["thoi-su"]} == {"current", "legacy"}


def test_home_page_and_rss_show_the_newest(replay: ReplaySite, corpus: Corpus) -> None:
    newest = corpus.articles[::-1]
    with httpx.Client(base_url=replay.base_url) as client:
        home = LexborHTMLParser(client.get("/").text)
        feed = client.get("/rss/home.rss")
    links = [a.attributes["href"] for a in home.css("div.list-news h3.story__title a")]
    assert links == [a.path for a in newest[:20]]
    assert {f"/{s.slug}" for s in corpus.sections} <= {a.attributes["href"] for a in home.css("a")}
    assert feed.headers["content-type"].startswith("application/rss+xml")
    items = ET.fromstring(feed.content).findall("channel/item")
    assert [
        (i.findtext("link"), parsedate_to_datetime(i.findtext("pubDate") or "")) for i in items
    ] == [(f"https://baolangson.vn{a.path}", a.published_at) for a in newest[:30]]


def test_article_header_shows_today_not_the_publish_date(corpus: Corpus) -> None:
    current = next(a for a in corpus.articles if a.layout == "current")
    legacy = next(a for a in corpus.articles if a.layout == "legacy")
    with ReplaySite(corpus, today=TODAY) as site, httpx.Client(base_url=site.base_url) as client:
        for article in (current, legacy):
            response = client.get(article.path)
            assert response.status_code == 200
            assert response.headers["content-type"] == "text/html; charset=UTF-8"
            _check_article_head(article, response.text, TODAY)


def test_faults_are_served_in_order_then_the_page(corpus: Corpus) -> None:
    path = corpus.articles[5].path
    with ReplaySite(corpus, faults={path: [503, 429, 500]}) as site, httpx.Client() as client:
        responses = [client.get(site.base_url + path) for _ in range(4)]
        other = client.get(site.base_url + corpus.articles[6].path)
        assert site.count(path) == 4
        assert site.requests[-1] == ("GET", corpus.articles[6].path)
    assert [r.status_code for r in responses] == [503, 429, 500, 200]
    assert responses[1].headers["retry-after"] == "1"
    assert corpus.articles[5].headline in responses[3].text
    assert other.status_code == 200


def test_matching_etag_gets_304(replay: ReplaySite, corpus: Corpus) -> None:
    article = corpus.articles[10]
    with httpx.Client(base_url=replay.base_url) as client:
        first = client.get(article.path)
        again = client.get(article.path, headers={"If-None-Match": first.headers["etag"]})
        stale = client.get(article.path, headers={"If-None-Match": '"something-else"'})
    assert first.status_code == 200 and first.headers["content-length"] == str(len(first.content))
    assert parsedate_to_datetime(first.headers["last-modified"]) == article.published_at
    assert again.status_code == 304 and again.content == b""
    assert stale.status_code == 200 and stale.content == first.content


def test_padded_pages_weigh_like_the_real_site(corpus: Corpus) -> None:
    picks = [a for a in corpus.articles if a.layout == "legacy"][:3] + list(corpus.articles[:3])
    with ReplaySite(corpus, pad_kb=150, today=TODAY) as site, httpx.Client() as client:
        pages = [(a, client.get(site.base_url + a.path)) for a in picks]
    for article, response in pages:
        assert 140 * 1024 <= len(response.content) <= 170 * 1024
        assert len(render_article(article, corpus, today=TODAY).encode()) < 20 * 1024
        _check_article_page(article, response.text)  # padding stays outside the article
        _check_article_head(article, response.text, TODAY)


@pytest.mark.parametrize(
    "path", ["/khong-co-trang-nay", "/thoi-su?page=999", "/sitemaps/2030-01.xml", "/x-9999999.html"]
)
def test_unknown_paths_get_the_soft_404(replay: ReplaySite, path: str) -> None:
    response = httpx.get(replay.base_url + path)
    assert response.status_code == 404
    tree = LexborHTMLParser(response.text)
    assert one(tree, "h1").text() == "Không tìm thấy trang"
    assert tree.css_first("nav.menu a[href='/thoi-su']") is not None  # full site chrome
