"""The polite client against a real replay server on loopback (mocks only for one-function checks)."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest

from lso_etl.crawl.fetch import Fetcher, _retry_after
from lso_etl.crawl.redirects import OffSiteRedirect, SchemeRedirect, check_redirect
from lso_etl.models import ArticleRef, Outcome
from lso_etl.pipeline.steps import Job, crawl_batch
from lso_etl.replay.model import Corpus
from lso_etl.replay.server import ReplaySite
from lso_etl.settings import Settings
from lso_etl.site.urls import classify


def _settings(base_url: str, **kw: object) -> Settings:
    return Settings.from_env({}, base_url=base_url, min_delay=0.0, backoff=0.01, **kw)


def _ref(base_url: str, path: str) -> ArticleRef:
    identity = classify(path)
    assert identity is not None
    return ArticleRef(base_url + path, identity.article_id, date(2017, 7, 1), "test")


def test_robots_is_first_and_a_disallowed_article_is_never_requested(corpus: Corpus) -> None:
    banned, allowed = corpus.articles[0].path, corpus.articles[1].path
    with ReplaySite(corpus, extra_disallow=(banned,)) as site:
        with Fetcher(_settings(site.base_url)) as fetcher:
            refused = fetcher.fetch(_ref(site.base_url, banned))
            fetched = fetcher.fetch(_ref(site.base_url, allowed))
        assert refused.outcome is Outcome.ROBOTS_DISALLOWED and refused.page is None
        assert fetched.page is not None and fetched.page.status == 200
        assert site.requests[0] == ("GET", "/robots.txt")
        assert site.count(banned) == 0
        assert site.count(allowed) == 1


def test_robots_can_be_switched_off_by_an_operator(corpus: Corpus) -> None:
    banned = corpus.articles[0].path
    with ReplaySite(corpus, extra_disallow=(banned,)) as site:
        with Fetcher(_settings(site.base_url, respect_robots=False)) as fetcher:
            result = fetcher.fetch(_ref(site.base_url, banned))
        assert result.page is not None
        assert site.count(banned) == 1


def test_server_errors_are_retried_then_the_page_is_fetched(corpus: Corpus) -> None:
    path = corpus.articles[2].path
    with ReplaySite(corpus, faults={path: [503, 500]}) as site:
        with Fetcher(_settings(site.base_url)) as fetcher:
            result = fetcher.fetch(_ref(site.base_url, path))
        assert result.page is not None and result.page.status == 200
        assert result.requests == 3
        assert site.count(path) == 3


def test_retry_after_is_honoured(corpus: Corpus) -> None:
    path = corpus.articles[3].path
    waits: list[float] = []
    with (
        ReplaySite(corpus, faults={path: [429]}) as site,
        Fetcher(_settings(site.base_url), sleep=waits.append) as fetcher,
    ):
        result = fetcher.fetch(_ref(site.base_url, path))
    assert result.page is not None
    assert 1.0 in waits  # the replay's 429 says Retry-After: 1


def test_retries_are_bounded_and_end_in_gave_up(corpus: Corpus) -> None:
    path = corpus.articles[4].path
    with ReplaySite(corpus, faults={path: [500] * 10}) as site:
        with Fetcher(_settings(site.base_url, max_attempts=3)) as fetcher:
            result = fetcher.fetch(_ref(site.base_url, path))
        assert result.outcome is Outcome.GAVE_UP and "500" in (result.detail or "")
        assert site.count(path) == 3


def test_a_missing_page_is_an_http_error_without_retries(corpus: Corpus) -> None:
    path = "/khong-co-bai-nay-5999999.html"
    with ReplaySite(corpus) as site:
        with Fetcher(_settings(site.base_url)) as fetcher:
            result = fetcher.fetch(_ref(site.base_url, path))
        assert result.outcome is Outcome.HTTP_ERROR and result.detail == "HTTP 404"
        assert site.count(path) == 1


def test_requests_are_paced_by_crawl_delay_or_our_floor_whichever_is_larger(
    corpus: Corpus,
) -> None:
    paths = [a.path for a in corpus.articles[:3]]
    for crawl_delay, floor, expected in ((0.4, 0.0, 0.4), (0.05, 0.6, 0.6)):
        waits: list[float] = []
        with ReplaySite(corpus, crawl_delay=crawl_delay) as site:
            settings = Settings.from_env({}, base_url=site.base_url, min_delay=floor)
            with Fetcher(settings, sleep=waits.append) as fetcher:
                for path in paths:
                    fetcher.fetch(_ref(site.base_url, path))
                assert fetcher.delay == expected
        # robots.txt, then three pages: each page waited for (almost) the whole delay
        assert len(waits) == 3
        assert all(expected - 0.2 < w <= expected for w in waits), waits


def test_user_agent_names_the_project_and_a_contact() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["User-Agent"])
        return httpx.Response(200, text="User-agent: *\nAllow: /\n")

    settings = Settings.from_env({}, base_url="https://baolangson.vn", min_delay=0.0)
    with Fetcher(settings, transport=httpx.MockTransport(handler)) as fetcher:
        fetcher.get("https://baolangson.vn/")
    assert seen and all(ua.startswith("lso-etl/") and "+https://" in ua for ua in seen)


def test_an_off_site_redirect_is_refused() -> None:
    requested: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requested.append(str(request.url))
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(302, headers={"Location": "https://example.com/elsewhere"})

    settings = Settings.from_env({}, base_url="https://baolangson.vn", min_delay=0.0)
    with Fetcher(settings, transport=httpx.MockTransport(handler)) as fetcher:
        result = fetcher.fetch(_ref("https://baolangson.vn", "/bai-viet-5012345.html"))
    assert result.outcome is Outcome.HTTP_ERROR and "another host" in (result.detail or "")
    assert not any("example.com" in url for url in requested)


# --- limits, redirects, Retry-After forms, concurrency ---------------------------------------


def test_a_body_over_the_cap_is_refused_while_streaming(corpus: Corpus) -> None:
    path = corpus.articles[5].path
    with ReplaySite(corpus) as site:
        with Fetcher(_settings(site.base_url, max_body_bytes=2_000)) as fetcher:
            result = fetcher.fetch(_ref(site.base_url, path))
        assert site.count(path) == 1  # final: not retried
    assert result.outcome is Outcome.HTTP_ERROR and "over 2000" in (result.detail or "")


def test_a_redirect_to_a_path_robots_txt_disallows_is_not_followed(corpus: Corpus) -> None:
    path = corpus.articles[6].path
    with ReplaySite(corpus, faults={path: ["moved"]}, extra_disallow=("/*lso_moved",)) as site:
        with Fetcher(_settings(site.base_url)) as fetcher:
            result = fetcher.fetch(_ref(site.base_url, path))
        assert site.count(path + "?lso_moved=1") == 0
    assert result.outcome is Outcome.ROBOTS_DISALLOWED and "redirect" in (result.detail or "")


def test_redirect_hops_are_paced_and_limited() -> None:
    hops: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        hops.append(request.url.path)
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        n = int(request.url.params.get("n", "0"))
        return httpx.Response(302, headers={"Location": f"/bai-viet-5012345.html?n={n + 1}"})

    waits: list[float] = []
    settings = Settings.from_env({}, base_url="https://baolangson.vn", min_delay=0.5)
    with Fetcher(settings, transport=httpx.MockTransport(handler), sleep=waits.append) as fetcher:
        result = fetcher.fetch(_ref("https://baolangson.vn", "/bai-viet-5012345.html"))
    assert result.outcome is Outcome.HTTP_ERROR and "more than 5 redirects" in (result.detail or "")
    assert len(hops) == 1 + 6  # robots.txt, the page, five redirects followed: then refused
    assert len(waits) == 6 and all(w > 0.4 for w in waits)  # every hop waited its turn


def test_retry_after_as_an_http_date_and_its_cap() -> None:
    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 28 <= (_retry_after(soon) or 0) <= 30
    assert _retry_after("120") == 120.0
    assert _retry_after("in a while") is None
    assert _retry_after(format_datetime(datetime(2000, 1, 1, tzinfo=UTC), usegmt=True)) == 0.0


def test_a_retry_after_over_the_cap_gives_up_at_once_instead_of_retrying_early(
    corpus: Corpus,
) -> None:
    path = corpus.articles[7].path
    waits: list[float] = []
    with ReplaySite(corpus, faults={path: ["429-long"]}) as site:
        with Fetcher(_settings(site.base_url), sleep=waits.append) as fetcher:
            result = fetcher.fetch(_ref(site.base_url, path))
        assert site.count(path) == 1
    assert result.outcome is Outcome.GAVE_UP and "Retry-After 3600 s" in (result.detail or "")
    assert not [w for w in waits if w > 1]


def test_one_request_at_a_time_by_default_and_more_only_when_configured(corpus: Corpus) -> None:
    paths = [a.path for a in corpus.articles[10:16]]
    assert Settings().concurrency == 1
    elapsed = {}
    for workers in (1, 3):
        with ReplaySite(corpus, faults={p: ["slow"] for p in paths}, slow_seconds=0.3) as site:
            settings = _settings(site.base_url, concurrency=workers)
            with Fetcher(settings) as fetcher:
                fetcher.fetch(_ref(site.base_url, paths[0]))  # robots.txt out of the way
                jobs = [Job(_ref(site.base_url, p)) for p in paths[1:]]
                started = time.monotonic()
                items = crawl_batch(fetcher, jobs)
                elapsed[workers] = time.monotonic() - started
        assert [i.fetched.ref.url for i in items] == [j.ref.url for j in jobs]  # in job order
        assert all(i.fetched.page is not None for i in items)
    assert elapsed[1] >= 5 * 0.3  # one at a time: the slow answers add up
    assert elapsed[3] < elapsed[1] * 0.6


def test_concurrent_requests_still_start_at_least_the_delay_apart(corpus: Corpus) -> None:
    paths = [a.path for a in corpus.articles[20:26]]
    with ReplaySite(corpus) as site:
        settings = Settings.from_env(
            {}, base_url=site.base_url, min_delay=0.15, concurrency=4, backoff=0.01
        )
        with Fetcher(settings) as fetcher:
            started = time.monotonic()
            crawl_batch(fetcher, [Job(_ref(site.base_url, p)) for p in paths])
            elapsed = time.monotonic() - started
    assert elapsed >= 6 * 0.15 * 0.9  # robots.txt then six pages, each start paced


def test_a_redirected_robots_txt_is_followed_and_obeyed(corpus: Corpus) -> None:
    banned = corpus.articles[30].path
    faults: dict[str, list[int | str]] = {"/robots.txt": ["moved"]}
    with ReplaySite(corpus, faults=faults, extra_disallow=(banned,)) as site:
        with Fetcher(_settings(site.base_url)) as fetcher:
            result = fetcher.fetch(_ref(site.base_url, banned))
        assert site.requests[:2] == [("GET", "/robots.txt"), ("GET", "/robots.txt?lso_moved=1")]
    assert result.outcome is Outcome.ROBOTS_DISALLOWED


# --- redirects to another scheme; a cut body ----------------------------------------------------

SITE = {"baolangson.vn", "127.0.0.1:8765"}


@pytest.mark.parametrize(
    ("source", "target", "refusal"),
    [
        ("http://baolangson.vn/a", "https://baolangson.vn/a", None),  # the upgrade: followed
        ("https://baolangson.vn/a", "https://baolangson.vn/b", None),
        ("https://baolangson.vn/a", "http://baolangson.vn/a", SchemeRedirect),  # in clear: no
        ("http://127.0.0.1:8765/a", "ftp://127.0.0.1:8765/a", SchemeRedirect),
        ("https://baolangson.vn/a", "HTTP://baolangson.vn/a", SchemeRedirect),
        ("http://baolangson.vn/a", "https://example.com/a", OffSiteRedirect),
        ("http://baolangson.vn/a", "file:///etc/passwd", OffSiteRedirect),
    ],
)
def test_a_same_host_redirect_may_change_scheme_only_from_http_to_https(
    source: str, target: str, refusal: type[Exception] | None
) -> None:
    if refusal is None:
        check_redirect(source, target, SITE)
    else:
        with pytest.raises(refusal):
            check_redirect(source, target, SITE)


def test_an_http_to_https_redirect_on_the_same_host_is_followed() -> None:
    requested: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requested.append(str(request.url))
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        if request.url.scheme == "http":
            return httpx.Response(
                301, headers={"Location": str(request.url.copy_with(scheme="https"))}
            )
        return httpx.Response(200, text="<html><body>the page</body></html>")

    settings = Settings.from_env({}, base_url="http://baolangson.vn", min_delay=0.0)
    with Fetcher(settings, transport=httpx.MockTransport(handler)) as fetcher:
        result = fetcher.fetch(_ref("http://baolangson.vn", "/bai-viet-5012345.html"))
    assert (
        result.page is not None and result.page.url == "https://baolangson.vn/bai-viet-5012345.html"
    )
    assert requested[1:] == [
        "http://baolangson.vn/bai-viet-5012345.html",
        "https://baolangson.vn/bai-viet-5012345.html",
    ]


def test_a_redirect_to_another_scheme_is_refused_at_once_in_one_line(corpus: Corpus) -> None:
    path = corpus.articles[8].path
    with ReplaySite(corpus, faults={path: ["other-scheme"]}) as site:
        with Fetcher(_settings(site.base_url)) as fetcher:
            result = fetcher.fetch(_ref(site.base_url, path))
        assert site.count(path) == 1  # not retried
    assert result.outcome is Outcome.HTTP_ERROR and result.requests == 1
    detail = result.detail or ""
    assert detail.startswith("redirect from http to ftp refused") and "\n" not in detail


def test_a_short_content_length_is_retried_and_costs_the_next_page_nothing(
    corpus: Corpus,
) -> None:
    """The bytes past a short Content-Length stay on the connection; kept in the pool, they
    would be read as the next page's status line (a protocol error, one more request)."""
    cut, after = corpus.articles[9].path, corpus.articles[11].path
    with ReplaySite(corpus, faults={cut: ["short-length"]}) as site:
        with Fetcher(_settings(site.base_url)) as fetcher:
            whole = fetcher.fetch(_ref(site.base_url, cut))
            following = fetcher.fetch(_ref(site.base_url, after))
        body = site.answer("GET", cut).body
    assert whole.page is not None and whole.page.content == body
    assert whole.requests == 2
    assert following.page is not None and following.requests == 1


def test_a_damaged_archived_page_is_fetched_afresh_not_fatal(
    corpus: Corpus, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A resumed run reads pages an interrupted run archived; one whose record is damaged (here
    a file of garbage) is fetched from the site instead of ending the batch in a traceback."""
    article = corpus.articles[5]
    with ReplaySite(corpus) as site:
        settings = _settings(site.base_url, db=tmp_path / "lso.duckdb")
        settings.archive_dir.mkdir()
        damaged = settings.archive_dir / "damaged.warc.gz"
        damaged.write_bytes(b"\x1f\x8b\x08" + b"garbage" * 100)  # a gzip header, then noise
        with Fetcher(settings) as fetcher:
            job = Job(_ref(site.base_url, article.path), archived=("damaged.warc.gz", 0))
            [item] = crawl_batch(fetcher, [job])
        assert ("GET", article.path) in site.requests
    assert item.fetched.page is not None and item.fetched.detail != "from the raw archive"
    assert item.parsed is not None and item.parsed.article is not None
    assert item.parsed.article.headline == article.headline
    assert "damaged.warc.gz" in caplog.text and "fetched afresh" in caplog.text
    assert "garbage" * 20 not in caplog.text  # the damage is named, the garbage not quoted
    assert damaged.stat().st_size == 703  # read, left alone
