"""Discovery: pure parsing of sitemaps, feeds and listings, and the strategies over the replay site."""

from __future__ import annotations

import gzip
from dataclasses import replace
from datetime import date

import pytest

from lso_etl.crawl.discovery import discover as discover_module
from lso_etl.crawl.discovery.discover import discover, discover_with_cache, month_may_hold
from lso_etl.crawl.discovery.listings import parse_feed, parse_json_listing, parse_listing
from lso_etl.crawl.discovery.sitemaps import NotASitemap, parse_sitemap
from lso_etl.crawl.fetch import Fetcher
from lso_etl.replay.model import Corpus
from lso_etl.replay.routes import category_ids
from lso_etl.replay.server import ReplaySite
from lso_etl.settings import Settings
from lso_etl.site.discovery import DISCOVERY

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://baolangson.vn/sitemaps/2017-07.xml</loc><lastmod>2017-07-31T20:00:00+07:00</lastmod></sitemap>
</sitemapindex>"""

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://baolangson.vn/so-noi-vu-so-ket-5012345.html</loc><lastmod>2017-07-26T15:47:00+07:00</lastmod></url>
  <url><loc> https://baolangson.vn/chinh-tri/xay-dung-dang/310783-dai-hoi.html </loc></url>
</urlset>"""


def test_parse_sitemap_reads_index_and_urlset() -> None:
    children, pages = parse_sitemap(INDEX)
    assert children == [("https://baolangson.vn/sitemaps/2017-07.xml", date(2017, 7, 31))]
    assert pages == []
    children, pages = parse_sitemap(URLSET)
    assert children == []
    assert pages == [
        ("https://baolangson.vn/so-noi-vu-so-ket-5012345.html", date(2017, 7, 26)),
        ("https://baolangson.vn/chinh-tri/xay-dung-dang/310783-dai-hoi.html", None),
    ]


def test_parse_sitemap_keeps_only_an_entry_s_own_loc() -> None:
    """An image extension's <image:loc> is one level deeper: not a page of the site."""
    xml = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:image="x">
      <url><loc>https://baolangson.vn/a-5012345.html</loc>
        <image:image><image:loc>https://baolangson.vn/a.jpg</image:loc></image:image></url>
    </urlset>"""
    assert parse_sitemap(xml) == ([], [("https://baolangson.vn/a-5012345.html", None)])


def test_a_gzipped_sitemap_file_is_read_and_a_cut_or_bombed_one_refused() -> None:
    assert parse_sitemap(gzip.compress(URLSET)) == parse_sitemap(URLSET)
    with pytest.raises(NotASitemap, match="ends early"):
        parse_sitemap(gzip.compress(URLSET)[:-20])
    bomb = gzip.compress(b"<urlset>" + b" " * (60 * 1024 * 1024), compresslevel=9)
    with pytest.raises(NotASitemap, match="inflates to over"):
        parse_sitemap(bomb)


CHALLENGE = b"""<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title></head>
<body><h2 id="challenge-running">Checking if the site connection is secure</h2></body></html>"""
LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<urlset><url><loc>&c;</loc></url></urlset>"""


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (CHALLENGE, "root element <html>"),
        (LAUGHS, "declares XML entities"),
        (b"", "not well-formed"),
        (b"<urlset><url><loc>https://x/a-5012345.html</loc>", "not well-formed"),  # cut short
        (b'{"data": []}', "not well-formed"),
    ],
)
def test_what_is_not_a_sitemap_is_refused_never_read_as_empty(body: bytes, why: str) -> None:
    with pytest.raises(NotASitemap, match=why):
        parse_sitemap(body)


def test_parse_listing_reads_links_and_dates() -> None:
    html = """<div class="list-news">
      <article class="story"><h3 class="story__title"><a href="/a-5000001.html">A</a></h3>
        <time class="story__time" datetime="2017-07-26T15:47:00+07:00">26/07/2017</time></article>
      <article class="story"><h3><a href="https://baolangson.vn/b-5000002.html">B</a></h3></article>
    </div>"""
    assert parse_listing(html, "http://127.0.0.1:9/thoi-su?page=1") == [
        ("http://127.0.0.1:9/a-5000001.html", date(2017, 7, 26)),
        ("https://baolangson.vn/b-5000002.html", None),
    ]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x/sitemaps/2017-07.xml", True),
        ("https://x/sitemaps/2017-06.xml", False),
        ("https://x/sitemaps/2017-09.xml", False),
        ("https://x/sitemap-news.xml", True),
    ],
)
def test_month_named_sitemaps_outside_the_range_are_skipped(url: str, expected: bool) -> None:
    assert month_may_hold(url, date(2017, 7, 10), date(2017, 8, 20)) is expected


def _truth(corpus: Corpus, start: date, end: date) -> set[str]:
    return {a.article_id for a in corpus.articles if start <= a.published_at.date() <= end}


@pytest.mark.parametrize("strategy", ["sitemap", "listing"])
def test_each_strategy_finds_exactly_the_articles_of_the_range(
    corpus: Corpus, replay: ReplaySite, strategy: str
) -> None:
    start, end = date(2017, 7, 1), date(2017, 7, 31)
    settings = Settings.from_env({}, base_url=replay.base_url, min_delay=0.0)
    with Fetcher(settings) as fetcher:
        refs = discover(fetcher, start, end, (strategy,))
    assert {r.article_id for r in refs} == _truth(corpus, start, end)
    assert all(r.url.startswith(replay.base_url) for r in refs)
    assert len({r.article_id for r in refs}) == len(refs)


def test_sitemap_walk_skips_months_outside_the_range(replay: ReplaySite) -> None:
    settings = Settings.from_env({}, base_url=replay.base_url, min_delay=0.0)
    with Fetcher(settings) as fetcher:
        discover(fetcher, date(2017, 7, 1), date(2017, 7, 31), ("sitemap",))
    monthly = [path for _, path in replay.requests if path.startswith("/sitemaps/")]
    assert monthly == ["/sitemaps/2017-07.xml"]


def test_listing_walk_stops_soon_after_the_range_start(corpus: Corpus, replay: ReplaySite) -> None:
    """The newest week needs the first page or two of each section, not the whole archive."""
    end = corpus.last_day
    settings = Settings.from_env({}, base_url=replay.base_url, min_delay=0.0)
    with Fetcher(settings) as fetcher:
        refs = discover(fetcher, date.fromordinal(end.toordinal() - 6), end, ("listing",))
    listing_requests = [p for _, p in replay.requests if "page=" in p]
    assert refs
    assert len(listing_requests) <= 3 * len(corpus.sections)


# --- feeds, home page, JSON listings, conditional re-reads ----------------------------------

ATOM_FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>LSO</title>
  <entry><title>A</title><link rel="alternate" href="https://baolangson.vn/a-5000001.html"/>
    <published>2017-07-26T23:30:00Z</published></entry>
  <entry><title>B</title><link href="https://baolangson.vn/b-5000002.html"/></entry>
</feed>"""


def test_parse_feed_reads_atom_and_dates_items_in_site_time() -> None:
    assert parse_feed(ATOM_FEED) == [
        (
            "https://baolangson.vn/a-5000001.html",
            date(2017, 7, 27),
        ),  # 06:30 the next day in Lạng Sơn
        ("https://baolangson.vn/b-5000002.html", None),
    ]


def test_parse_json_listing_reads_links_and_dates() -> None:
    body = b'{"data": [{"link": "/a-5000001.html", "published_at": "2017-07-26T15:47:00+07:00"},'
    body += b' {"title": "no link"}, {"url": "/b-5000002.html"}]}'
    assert parse_json_listing(body, "https://baolangson.vn/list-post-by-category?page=1") == [
        ("https://baolangson.vn/a-5000001.html", date(2017, 7, 26)),
        ("https://baolangson.vn/b-5000002.html", None),
    ]
    assert parse_json_listing(b'{"error": "no"}', "https://baolangson.vn/x") == []


def _newest(corpus: Corpus, n: int) -> set[str]:
    return {a.article_id for a in corpus.articles[::-1][:n]}


@pytest.mark.parametrize(("strategy", "newest"), [("rss", 30), ("home", 20)])
def test_feed_and_home_page_strategies_find_the_newest_articles(
    corpus: Corpus, replay: ReplaySite, strategy: str, newest: int
) -> None:
    settings = Settings.from_env({}, base_url=replay.base_url, min_delay=0.0)
    with Fetcher(settings) as fetcher:
        refs = discover(fetcher, corpus.first_day, corpus.last_day, (strategy,))
    assert {r.article_id for r in refs} == _newest(corpus, newest)
    assert {r.found_by for r in refs} == {strategy}
    assert all(r.seen_date is not None for r in refs)


def test_json_listing_strategy_walks_the_category_ids_in_the_profile(
    corpus: Corpus, replay: ReplaySite
) -> None:
    start, end = date(2017, 7, 1), date(2017, 7, 31)
    profile = replace(DISCOVERY, json_categories=tuple(category_ids(corpus).values()))
    settings = Settings.from_env({}, base_url=replay.base_url, min_delay=0.0)
    with Fetcher(settings) as fetcher:
        refs = discover(fetcher, start, end, ("json-listing",), profile)
    assert {r.article_id for r in refs} == _truth(corpus, start, end)
    assert DISCOVERY.json_categories == ()  # the live site's ids are unknown: nothing by default


def test_the_sitemap_robots_txt_names_is_used_without_configuration(
    corpus: Corpus, replay: ReplaySite
) -> None:
    start, end = date(2017, 7, 1), date(2017, 7, 31)
    profile = replace(DISCOVERY, sitemap_paths=("/no-such-sitemap.xml",))
    settings = Settings.from_env({}, base_url=replay.base_url, min_delay=0.0)
    with Fetcher(settings) as fetcher:
        refs = discover(fetcher, start, end, ("sitemap",), profile)
    assert {r.article_id for r in refs} == _truth(corpus, start, end)
    assert ("GET", "/no-such-sitemap.xml") not in replay.requests


def test_strategies_merge_on_the_article_id_and_an_unknown_name_is_an_error(
    corpus: Corpus, replay: ReplaySite
) -> None:
    settings = Settings.from_env({}, base_url=replay.base_url, min_delay=0.0)
    with Fetcher(settings) as fetcher:
        refs = discover(fetcher, corpus.first_day, corpus.last_day, DISCOVERY.daily_strategies)
        with pytest.raises(ValueError, match="unknown discovery strategy 'atom'"):
            discover(fetcher, corpus.first_day, corpus.last_day, ("atom",))
    assert len(refs) == len({r.article_id for r in refs}) == len(corpus.articles)
    assert {r.found_by for r in refs} == {"sitemap"}  # the first strategy to find one keeps it


def test_a_document_read_before_is_re_read_conditionally_and_a_304_is_not_parsed(
    corpus: Corpus, replay: ReplaySite, monkeypatch: pytest.MonkeyPatch
) -> None:
    start, end = date(2017, 7, 1), date(2017, 7, 31)
    settings = Settings.from_env({}, base_url=replay.base_url, min_delay=0.0)
    with Fetcher(settings) as fetcher:
        first = discover_with_cache(fetcher, start, end, ("sitemap", "rss"), {})
    cache = {doc.url: doc for doc in first.documents}
    assert len(cache) == 3 and all(doc.etag for doc in cache.values())  # index, month, feed
    monkeypatch.setattr(discover_module, "parse_sitemap", _no_parsing)
    monkeypatch.setattr(discover_module, "parse_feed", _no_parsing)
    with Fetcher(settings) as fetcher:
        again = discover_with_cache(fetcher, start, end, ("sitemap", "rss"), cache)
    assert again.refs == first.refs and again.not_modified == 3 and again.documents == []


def _no_parsing(*args: object) -> object:
    raise AssertionError("a 304 answer must not be parsed")
