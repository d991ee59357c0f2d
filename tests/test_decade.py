"""A decade on the replay site (issue 13): the lazily derived corpus, its discovery surfaces, and
listing discovery that reaches 2017 by searching page numbers instead of walking every page
since today."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import duckdb
import httpx
import pytest

from lso_etl.crawl.discovery.discover import DiscoveryIncomplete, discover, split_by_window
from lso_etl.crawl.fetch import Fetcher
from lso_etl.pipeline.run import backfill
from lso_etl.pipeline.steps import chunk_windows, finished_chunks
from lso_etl.replay.decade import DecadeCorpus
from lso_etl.replay.model import Corpus
from lso_etl.replay.render import PER_PAGE
from lso_etl.replay.routes import SiteConfig, route
from lso_etl.replay.server import ReplaySite
from lso_etl.settings import Settings

TODAY = date(2026, 1, 5)
MARCH_2017 = (date(2017, 3, 1), date(2017, 3, 31))


@pytest.fixture(scope="module")
def decade() -> DecadeCorpus:
    return DecadeCorpus(10)  # 2016..2025, about 150,000 articles; built in a quarter second


@pytest.fixture
def listings_only(decade: DecadeCorpus) -> Iterator[ReplaySite]:
    with ReplaySite(decade, today=TODAY, surface="listings") as site:
        yield site


def settings_for(
    base_url: str, env: dict[str, str] | None = None, db: Path | None = None
) -> Settings:
    extra = {"db": db} if db is not None else {}
    return Settings.from_env(env or {}, base_url=base_url, min_delay=0.0, backoff=0.01,
                             max_attempts=2, chunk_retries=0, **extra)  # fmt: skip


def truth(corpus: DecadeCorpus, first: date, last: date) -> set[str]:
    return {corpus.article(i).article_id for i in corpus.day_span(first, last)}


# --- the corpus ------------------------------------------------------------------------------


def test_a_decade_corpus_is_derived_the_same_way_every_time(decade: DecadeCorpus) -> None:
    other = DecadeCorpus(10)
    assert 140_000 <= len(decade.articles) <= 160_000  # about 15,000 a year
    for index in (0, 1, 52_000, 52_600, len(decade.articles) - 1):
        article = decade.article(index)
        assert other.article(index) == article
        assert decade.by_path[article.path] == article  # a page is found from its path alone
    assert decade.articles[0].published_at.date() == date(2016, 1, 1)
    assert decade.articles[-1].published_at.date() == date(2025, 12, 31)
    assert {decade.articles[0].layout, decade.articles[-1].layout} == {"legacy", "current"}
    assert "/no-such-article-5000000.html" not in decade.by_path


def test_listings_and_months_partition_the_corpus_in_date_order(decade: DecadeCorpus) -> None:
    assert sum(len(items) for items in decade.by_section.values()) == len(decade.articles)
    assert sum(len(decade.by_month[m]) for m in decade.by_month) == len(decade.articles)
    section = decade.by_section["thoi-su"]
    middle = section[len(section) // 2 : len(section) // 2 + 3 * PER_PAGE]
    times = [a.published_at for a in middle]
    assert times == sorted(times, reverse=True) and {a.section_slug for a in middle} == {"thoi-su"}
    assert section.index(middle[5]) == len(section) // 2 + 5  # computed, not scanned
    march = decade.by_month["2017-03"]
    assert {a.published_at.strftime("%Y-%m") for a in (march[0], march[-1])} == {"2017-03"}
    assert len(march) == len(decade.day_span(*MARCH_2017))


def test_a_decade_corpus_holds_little_memory_and_ten_years_no_more_than_one() -> None:
    """Building 150,000 articles would hold about 850 MB (the default 373 take 2.1 MB); derived,
    a decade holds its running totals (230 KB) and bounded caches of recent days and articles
    (measured peaks: 0.4 MB for one year, 1.3 MB for ten, the index naming 120 months)."""
    peaks = {}
    for years in (1, 10):
        tracemalloc.start()
        corpus = DecadeCorpus(years)
        site = SiteConfig(corpus, "http://127.0.0.1:1")
        deep = len(corpus.by_section["thoi-su"]) // PER_PAGE
        for path in ("/", "/sitemap.xml", "/thoi-su?page=1", f"/thoi-su?page={deep}"):
            assert route(site, path, TODAY).status == 200
        peaks[years] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peaks[10] < 4 * 2**20
    assert peaks[10] - peaks[1] < 2 * 2**20  # the caches' bound, not ten times anything


# --- discovery surfaces -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("surface", "offered"),
    [
        ("listings", {"/thoi-su?page=3"}),
        ("sitemaps", {"/sitemap.xml", "/sitemaps/2017-03.xml"}),
        ("json", {"/list-post-by-category?page=3&limit=12&category_id=57"}),
    ],
)
def test_a_surface_offers_only_its_own_discovery_documents(
    decade: DecadeCorpus, surface: str, offered: set[str]
) -> None:
    documents = {"/thoi-su?page=3", "/sitemap.xml", "/sitemaps/2017-03.xml",
                 "/list-post-by-category?page=3&limit=12&category_id=57"}  # fmt: skip
    with ReplaySite(decade, today=TODAY, surface=surface) as site:
        statuses = {p: httpx.get(site.base_url + p).status_code for p in documents}
        robots = httpx.get(site.base_url + "/robots.txt").text
    assert {p for p, status in statuses.items() if status == 200} == offered
    assert ("Sitemap:" in robots) == (surface == "sitemaps")


# --- the search ------------------------------------------------------------------------------


def test_a_2017_month_among_thousands_of_pages_costs_its_own_pages_and_a_few_probes(
    decade: DecadeCorpus, listings_only: ReplaySite
) -> None:
    """Walking from today to March 2017 would read over 9,000 listing pages (and stop at the
    500-page budget); the search reads the month's own pages plus a few probes per section
    (page 1, an estimate from its rate, one from the longer baseline that gives)."""
    with Fetcher(settings_for(listings_only.base_url)) as fetcher:
        refs = discover(fetcher, *MARCH_2017, ("sitemap", "listing?"))
    assert {r.article_id for r in refs} == truth(decade, *MARCH_2017)
    assert all(r.found_by.startswith("listing:") for r in refs)
    pages = [t for _, t in listings_only.requests if "?page=" in t]
    assert len(pages) == len(set(pages))  # no page read twice
    assert len(pages) <= decade.listing_pages(*MARCH_2017) + 4 * len(decade.sections)


@pytest.mark.parametrize(
    "window",
    [(date(2016, 1, 1), date(2016, 1, 3)), (date(2019, 12, 31), date(2020, 1, 1)),
     (date(2022, 6, 10), date(2022, 6, 10)), (date(2025, 12, 1), date(2026, 1, 4))],
)  # fmt: skip
def test_every_candidate_of_a_range_at_either_end_or_across_a_year_is_found(
    decade: DecadeCorpus, listings_only: ReplaySite, window: tuple[date, date]
) -> None:
    with Fetcher(settings_for(listings_only.base_url)) as fetcher:
        refs = discover(fetcher, *window, ("listing",))
    assert {r.article_id for r in refs} == truth(decade, *window)


def test_a_page_cap_that_stops_the_search_before_the_range_is_incomplete(
    listings_only: ReplaySite,
) -> None:
    settings = settings_for(listings_only.base_url, {"LSO_MAX_LISTING_PAGES": "8"})
    with (
        Fetcher(settings) as fetcher,
        pytest.raises(DiscoveryIncomplete, match=r"LSO_MAX_LISTING_PAGES \(now 8\)") as raised,
    ):
        discover(fetcher, *MARCH_2017, ("listing",))
    assert "\n" not in str(raised.value)
    per_section: dict[str, int] = {}
    for _, target in listings_only.requests:
        if "?page=" in target:
            section = target.split("?")[0]
            per_section[section] = per_section.get(section, 0) + 1
    assert len(per_section) == 7 and max(per_section.values()) == 8


def test_a_backfill_chunk_cut_short_by_the_page_cap_is_not_recorded_finished(
    listings_only: ReplaySite, tmp_path: Path
) -> None:
    db = tmp_path / "lso.duckdb"
    settings = settings_for(listings_only.base_url, {"LSO_MAX_LISTING_PAGES": "8"}, db)
    result = backfill(settings, *MARCH_2017, chunk_days=31)
    assert result["chunks_failed"] == [f"{MARCH_2017[0]}..{MARCH_2017[1]}"]
    assert finished_chunks(settings) == set()
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from articles").fetchone() == (0,)
        assert con.execute("select status from runs").fetchall() == [("failed",)]


def test_a_range_older_than_the_whole_listing_finds_nothing_in_few_requests(
    decade: DecadeCorpus, listings_only: ReplaySite
) -> None:
    """The estimate runs past the last page (404) and bisects back: nothing, no budget hit."""
    before = decade.first_day - timedelta(days=400)
    with Fetcher(settings_for(listings_only.base_url)) as fetcher:
        refs = discover(fetcher, before, before + timedelta(days=30), ("listing",))
    pages = [t for _, t in listings_only.requests if "?page=" in t]
    assert refs == [] and len(pages) <= 7 * 2 * 14


def test_a_range_discovered_once_and_cut_into_chunks_equals_each_chunk_discovered_alone(
    corpus: Corpus, replay: ReplaySite
) -> None:
    """The building block of discovery once per backfill: the same candidates per chunk, for
    a fraction of the requests (each chunk's own walk reads its neighbours' pages again)."""
    first, last = corpus.first_day, corpus.last_day
    windows = chunk_windows(first, last, 31, False)
    settings = settings_for(replay.base_url)
    with Fetcher(settings) as fetcher:
        once = split_by_window(discover(fetcher, first, last, ("listing",)), windows)
        requests_once = fetcher.requests_made
    per_chunk = {}
    with Fetcher(settings) as fetcher:
        for window in windows:
            per_chunk[window] = discover(fetcher, *window, ("listing",))
        requests_per_chunk = fetcher.requests_made
    assert {w: {r.article_id for r in refs} for w, refs in once.items()} == {
        w: {r.article_id for r in refs} for w, refs in per_chunk.items()
    }
    assert sum(len(refs) for refs in once.values()) == len(corpus.articles)
    assert requests_once < requests_per_chunk


def test_a_backfill_keeps_listing_spans_and_the_next_one_searches_from_them(
    decade: DecadeCorpus, listings_only: ReplaySite, tmp_path: Path
) -> None:
    """The spans go through the pipeline into the crawl state (crawl never sees the
    warehouse); a later backfill of a nearby day reads fewer listing pages than a search
    without them."""
    settings = settings_for(listings_only.base_url, db=tmp_path / "lso.duckdb")
    day = (date(2017, 3, 15), date(2017, 3, 15))
    assert backfill(settings, *day, chunk_days=31)["chunks_failed"] == []
    with duckdb.connect(str(settings.db), read_only=True) as con:
        kept = con.execute("select listing, count(*), min(page) from listing_spans group by all")
        spans = {listing: (count, first) for listing, count, first in kept.fetchall()}
    assert set(spans) == {f"listing:{s.slug}" for s in decade.sections}
    assert all(count >= 3 and first == 1 for count, first in spans.values())

    later = (date(2017, 4, 20), date(2017, 4, 20))
    with Fetcher(settings_for(listings_only.base_url)) as fetcher:
        cold_requests = len(listings_only.requests)
        discover(fetcher, *later, ("listing",))
        cold_requests = len(listings_only.requests) - cold_requests
    warm_requests = len(listings_only.requests)
    assert backfill(settings, *later, chunk_days=31)["chunks_failed"] == []
    listing_pages = [t for _, t in listings_only.requests[warm_requests:] if "?page=" in t]
    assert len(listing_pages) < cold_requests - 1  # the cold count has robots.txt in it
