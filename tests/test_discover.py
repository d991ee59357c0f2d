"""Discovery: pure sitemap/listing parsing, and date-range walks over the replay site."""

from __future__ import annotations

from datetime import date

import pytest

from lso_etl.discover import discover, month_may_hold, parse_listing, parse_sitemap
from lso_etl.fetch import Fetcher
from lso_etl.replay import Corpus, ReplaySite
from lso_etl.settings import Settings

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
