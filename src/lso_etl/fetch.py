"""One polite HTTP client per run: robots.txt first, one request at a time, paced, retried.

The real origin is slow (~1.7 s a page) and its robots.txt is strict, so politeness is the
default and can only be relaxed explicitly (LSO_RESPECT_ROBOTS=false, logged every run).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import urlsplit

import httpx
from protego import Protego
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from lso_etl.models import ArticleRef, FetchResult, Outcome, RawPage
from lso_etl.settings import Settings

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


class RetryableStatus(Exception):
    """A response worth retrying (429, 5xx); carries the server's Retry-After, if any."""

    def __init__(self, status: int, retry_after: float | None) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.retry_after = retry_after


class OffSiteRedirect(Exception):
    """A redirect to a host we were not asked to crawl: never followed."""


class Fetcher:
    """Fetches pages from one site politely. Not shared between runs: robots.txt is read per run."""

    def __init__(
        self,
        settings: Settings,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self._sleep = sleep
        self._lock = threading.Lock()  # one request at a time to the host
        self._last_request = float("-inf")
        self._robots: Protego | None = None
        self.allowed_hosts = {urlsplit(settings.base_url).netloc, "baolangson.vn"}
        self.requests_made = 0
        self.bytes_fetched = 0
        self.client = httpx.Client(
            headers={"User-Agent": settings.user_agent, "Accept-Language": "vi,en;q=0.5"},
            timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
            follow_redirects=True,
            max_redirects=5,
            transport=transport,
            event_hooks={"request": [self._refuse_off_site]},
        )
        if not settings.respect_robots:
            log.warning("robots.txt is NOT obeyed for this run (LSO_RESPECT_ROBOTS=false)")

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.client.close()

    # --- robots.txt and pace -------------------------------------------------------------
    @property
    def robots(self) -> Protego:
        """robots.txt, fetched before any other request and cached for the run."""
        if self._robots is None:
            self._robots = self._load_robots()
        return self._robots

    def _load_robots(self) -> Protego:
        url = self.settings.base_url.rstrip("/") + "/robots.txt"
        try:
            response = self._send(url)
        except (httpx.HTTPError, RetryableStatus) as exc:
            # RFC 9309: an unreachable robots.txt means "assume everything is disallowed".
            log.error("robots.txt unreachable (%s): treating the whole site as disallowed", exc)
            return Protego.parse("User-agent: *\nDisallow: /\n")
        if response.status_code >= 400:
            log.info("robots.txt answered %s: no restrictions", response.status_code)
            return Protego.parse("")
        return Protego.parse(response.text)

    def allowed(self, url: str) -> bool:
        return not self.settings.respect_robots or bool(
            self.robots.can_fetch(url, self.settings.user_agent)
        )

    @property
    def delay(self) -> float:
        """Seconds between request starts: the larger of our floor and the site's Crawl-delay."""
        crawl_delay = self.robots.crawl_delay(self.settings.user_agent) if self._robots else None
        return max(self.settings.min_delay, float(crawl_delay or 0.0))

    def sitemaps(self) -> list[str]:
        return list(self.robots.sitemaps)

    # --- requests ------------------------------------------------------------------------
    def _refuse_off_site(self, request: httpx.Request) -> None:
        if request.url.netloc.decode() not in self.allowed_hosts:
            raise OffSiteRedirect(f"redirect to another host refused: {request.url}")

    def _send(self, url: str) -> httpx.Response:
        with self._lock:
            wait = self._last_request + self.delay - time.monotonic()
            if wait > 0:
                self._sleep(wait)
            self._last_request = time.monotonic()
            self.requests_made += 1
            response = self.client.get(url)
        self.bytes_fetched += len(response.content)
        if response.status_code in RETRY_STATUSES:
            raise RetryableStatus(response.status_code, _retry_after(response))
        return response

    def get(self, url: str) -> httpx.Response:
        """GET with retries on transport errors, 408/429/5xx; other statuses are returned as is."""
        _ = self.robots  # robots.txt is always the first request of a run
        retrying = Retrying(
            stop=stop_after_attempt(self.settings.max_attempts),
            wait=self._wait,
            retry=retry_if_exception_type((httpx.TransportError, RetryableStatus)),
            reraise=True,
            sleep=self._sleep,
        )
        return retrying(self._send, url)

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RetryableStatus) and exc.retry_after is not None:
            return min(exc.retry_after, self.settings.max_retry_after)
        backoff = self.settings.backoff
        return wait_exponential_jitter(multiplier=backoff, max=60, jitter=backoff)(state)

    def fetch(self, ref: ArticleRef) -> FetchResult:
        """Fetch one article URL; every failure becomes an outcome, never an exception."""
        if not self.allowed(ref.url):
            return FetchResult(ref, outcome=Outcome.ROBOTS_DISALLOWED, detail="robots.txt")
        before = self.requests_made
        try:
            response = self.get(ref.url)
        except RetryableStatus as exc:
            return self._gave_up(ref, before, f"HTTP {exc.status} after retries")
        except OffSiteRedirect as exc:
            return FetchResult(ref, outcome=Outcome.HTTP_ERROR, detail=str(exc))
        except httpx.TooManyRedirects:
            return FetchResult(ref, outcome=Outcome.HTTP_ERROR, detail="too many redirects")
        except httpx.HTTPError as exc:
            return self._gave_up(ref, before, f"{type(exc).__name__}: {exc}")
        spent = self.requests_made - before
        if response.status_code >= 400:
            detail = f"HTTP {response.status_code}"
            return FetchResult(ref, outcome=Outcome.HTTP_ERROR, detail=detail, requests=spent)
        page = RawPage(
            requested_url=ref.url,
            url=str(response.url),
            status=response.status_code,
            headers=dict(response.headers),
            content=response.content,
            fetched_at=datetime.now(UTC),
        )
        return FetchResult(ref, page=page, requests=spent)

    def _gave_up(self, ref: ArticleRef, before: int, detail: str) -> FetchResult:
        spent = self.requests_made - before
        return FetchResult(ref, outcome=Outcome.GAVE_UP, detail=detail, requests=spent)


def _retry_after(response: httpx.Response) -> float | None:
    """Retry-After in seconds, from either of its two forms (delta-seconds or an HTTP date)."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
