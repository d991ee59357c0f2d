"""One polite HTTP client per run: robots.txt first, paced, retried, within limits.

The real origin is slow (~1.7 s a page) and its robots.txt is strict, so politeness is the
default and can only be relaxed explicitly (LSO_RESPECT_ROBOTS=false, logged every run).
Redirects are followed here, not by httpx, so that every hop is paced, checked against
robots.txt and the allowed hosts, and archived like any other request.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from types import TracebackType
from typing import Protocol
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from lso_etl.crawl.clock import SYSTEM_CLOCK, Clock
from lso_etl.crawl.completeness import is_challenge
from lso_etl.crawl.redirects import Refused, RobotsDisallowed, check_host, check_redirect
from lso_etl.crawl.retries import (
    RETRY_STATUSES,
    RETRYABLE,
    RetryableStatus,
    RetryAfterTooLong,
    StopWhenPlainlyDown,
    robots_failure,
    transport_failure,
)
from lso_etl.crawl.retries import retry_after as _retry_after
from lso_etl.crawl.robots import RobotsMemo
from lso_etl.crawl.transfer import (
    BodyTooLarge,
    Exchange,
    Limits,
    UnsupportedEncoding,
    conditional_headers,
    exchange,
    tls_context,
)
from lso_etl.crawl.unreachable import plainly_down
from lso_etl.errors import SiteUnreachable
from lso_etl.models import ArticleRef, FetchResult, Outcome, RawPage
from lso_etl.settings import Settings
from lso_etl.site.discovery import DISCOVERY

log = logging.getLogger(__name__)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

__all__ = ["RETRYABLE", "Fetcher", "RetryAfterTooLong", "RetryableStatus", "conditional_headers"]


class Recorder(Protocol):
    """Where every exchange goes (the run's WARC archive and fetch log)."""

    def response(self, requested_url: str, exchange: Exchange) -> None: ...


# Everything a request through `Fetcher.get` can end in short of an answer: the discovery
# reader and robots.txt treat each as "could not read it".
REQUEST_FAILURES = (*RETRYABLE, RetryableStatus, RetryAfterTooLong, Refused, BodyTooLarge,
                    UnsupportedEncoding)  # fmt: skip


class Fetcher:
    """Fetches pages from one site politely. Not shared between runs: robots.txt is read per run."""

    def __init__(
        self,
        settings: Settings,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
        recorder: Recorder | None = None,
        robots_memo: RobotsMemo | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.settings = settings
        self.recorder = recorder
        self.robots_memo = robots_memo
        # `sleep` overrides the clock's own (the pipeline's wakes up when a run is stopped).
        self._sleep = sleep or clock.sleep
        self._now = clock.monotonic
        self._in_flight = threading.BoundedSemaphore(max(1, settings.concurrency))
        self._pace_lock = threading.Lock()
        self._last_request = float("-inf")
        self._not_before = float("-inf")  # a Retry-After holds back every worker, not just one
        self._count_lock = threading.Lock()
        self._mine = threading.local()  # requests made by this thread: a fetch's own count
        self._robots: Protego | None = None
        self._robots_lock = threading.Lock()
        self.site = urlsplit(settings.base_url).netloc  # how messages name the site
        self._unreachable: SiteUnreachable | None = None  # why the site cannot be reached
        self._plainly_down = False  # DNS, refused, TLS: down whether robots.txt is obeyed or not
        self.allowed_hosts = {self.site, "baolangson.vn"}
        self.limits = Limits(settings.max_body_bytes, settings.total_timeout)
        self.requests_made = 0
        self.bytes_fetched = 0
        self.client = httpx.Client(
            headers={
                "User-Agent": settings.user_agent,
                "Accept-Language": "vi,en;q=0.5",
                "Accept-Encoding": "gzip, deflate",  # only what transfer.py inflates under a cap
            },
            timeout=httpx.Timeout(
                min(settings.read_timeout, settings.total_timeout),
                connect=settings.connect_timeout,
            ),
            follow_redirects=False,
            verify=tls_context(),
            transport=transport,
            limits=httpx.Limits(max_connections=max(1, settings.concurrency)),
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
        with self._robots_lock:
            if self._robots is None:
                self._robots = self._load_robots()
            return self._robots

    def _load_robots(self) -> Protego:
        url = self.settings.base_url.rstrip("/") + "/robots.txt"
        memo = self.robots_memo
        fresh = memo.fresh(url) if memo is not None else None
        if fresh is not None:  # read less than 24 hours ago (RFC 9309, 2.4)
            return Protego.parse(fresh.body)
        kept = memo.stale(url) if memo is not None else None
        validators = conditional_headers(kept.etag, kept.last_modified) if kept else None
        try:  # RFC 9309: follow redirects
            response = self._follow(url, validators or None, check_robots=False)
        except REQUEST_FAILURES as exc:
            # RFC 9309: an unreachable robots.txt means "assume everything is disallowed".
            self._unreachable = SiteUnreachable(self.site, robots_failure(exc))
            self._plainly_down = plainly_down(exc) is not None
            log.info("%s: nothing else is requested", self._unreachable.short)
            return Protego.parse("User-agent: *\nDisallow: /\n")
        if response.status == 304 and memo is not None and kept is not None:
            memo.renew(url)
            return Protego.parse(kept.body)
        if response.status >= 300:  # 4xx, or redirected too often: RFC 9309 says "unavailable"
            log.info("robots.txt answered %s: no restrictions", response.status)
            body = ""
        else:
            body = response.content.decode("utf-8", "replace")
        if memo is not None:  # only what was read: an unreachable one is asked again
            memo.put(url, body, response.header("etag"), response.header("last-modified"))
        return Protego.parse(body)

    def check_reachable(self) -> None:
        """Raise SiteUnreachable if robots.txt (read now if not yet) could not be read.

        With robots.txt obeyed, any failure to read it counts (everything would be disallowed);
        with LSO_RESPECT_ROBOTS=false, only a site that is plainly down (DNS, refused, TLS).
        """
        _ = self.robots
        found = self._unreachable
        if found is not None and (self.settings.respect_robots or self._plainly_down):
            raise found

    def allowed(self, url: str) -> bool:
        return not self.settings.respect_robots or bool(
            self.robots.can_fetch(url, self.settings.user_agent)
        )

    @property
    def delay(self) -> float:
        """Seconds between request starts: the larger of our floor and the site's Crawl-delay."""
        crawl_delay = self._robots.crawl_delay(self.settings.user_agent) if self._robots else None
        return max(self.settings.min_delay, float(crawl_delay or 0.0))

    def sitemaps(self) -> list[str]:
        return list(self.robots.sitemaps)

    def _pace(self) -> None:
        """Wait for this request's turn: starts are at least `delay` apart, and after any Retry-After."""
        with self._pace_lock:
            wait = max(self._last_request + self.delay, self._not_before) - self._now()
            if wait > 0:
                self._sleep(wait)
            self._last_request = self._now()

    # --- requests ------------------------------------------------------------------------
    def _send(self, url: str, headers: dict[str, str], limits: Limits) -> Exchange:
        with self._in_flight:
            self._pace()
            with self._count_lock:
                self.requests_made += 1
            self._mine.count = self._own_requests() + 1
            self._mine.status = None  # until this request is answered
            answer = exchange(self.client, url, headers, limits)
            self._mine.status = answer.status  # what `fetches.status` keeps if no page comes
        with self._count_lock:
            self.bytes_fetched += len(answer.content)
        if self.recorder is not None:
            self.recorder.response(url, answer)
        if answer.status in RETRY_STATUSES:
            raise RetryableStatus(answer.status, _retry_after(answer.header("retry-after")))
        return answer

    def _with_retries(self, url: str, headers: dict[str, str], limits: Limits) -> Exchange:
        retrying = Retrying(
            # A site plainly down (DNS, refused, TLS) gets fewer tries: see `unreachable`.
            stop=stop_after_attempt(self.settings.max_attempts) | StopWhenPlainlyDown(),
            wait=self._wait,
            retry=retry_if_exception_type((*RETRYABLE, RetryableStatus)),
            reraise=True,
            sleep=self._sleep,
        )
        return retrying(self._send, url, headers, limits)

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RetryableStatus) and exc.retry_after is not None:
            if exc.retry_after > self.settings.max_retry_after:
                # Retrying sooner than asked would be rude; waiting longer would stall the run.
                raise RetryAfterTooLong(
                    f"HTTP {exc.status}: Retry-After {exc.retry_after:.0f} s is over the"
                    f" {self.settings.max_retry_after:.0f} s cap"
                )
            with self._pace_lock:  # the other workers wait too
                self._not_before = max(self._not_before, self._now() + exc.retry_after)
            return exc.retry_after
        backoff = self.settings.backoff
        return wait_exponential_jitter(multiplier=backoff, max=60, jitter=backoff)(state)

    def get(
        self, url: str, validators: dict[str, str] | None = None, max_body: int | None = None
    ) -> Exchange:
        """GET with retries on transport errors, timeouts, 408/429/5xx; redirects followed here.

        Other statuses (4xx, 304) are returned as they are. `validators` are conditional-request
        headers (If-None-Match / If-Modified-Since) for the first hop. `max_body` replaces the
        article cap for this request (discovery documents have their own: a spec sitemap is 50 MB).
        """
        self.check_reachable()  # robots.txt is always the first request of a run
        limits = self.limits if max_body is None else replace(self.limits, max_body=max_body)
        return self._follow(url, validators, check_robots=True, limits=limits)

    def _follow(
        self,
        url: str,
        validators: dict[str, str] | None,
        check_robots: bool,
        limits: Limits | None = None,
    ) -> Exchange:
        limits = limits or self.limits
        hops = [url]
        check_host(url, self.allowed_hosts)
        answer = self._with_retries(url, dict(validators or {}), limits)
        while answer.status in REDIRECT_STATUSES and answer.header("location"):
            target = urljoin(hops[-1], answer.header("location") or "")
            check_redirect(hops[-1], target, self.allowed_hosts)
            if target in hops:
                raise Refused(f"redirect loop: {' -> '.join([*hops, target])}")
            if len(hops) > self.settings.max_redirects:
                raise Refused(f"more than {self.settings.max_redirects} redirects from {url}")
            if check_robots and not self.allowed(target):
                raise RobotsDisallowed(f"redirect to {target}, which robots.txt disallows")
            hops.append(target)
            answer = self._with_retries(target, {}, limits)
        return answer

    def fetch(self, ref: ArticleRef, validators: dict[str, str] | None = None) -> FetchResult:
        """Fetch one article URL; every failure becomes an outcome, never an exception."""
        try:
            self.check_reachable()  # before `allowed`: a dead site is not the publisher's refusal
        except SiteUnreachable as exc:  # tried again next run
            return FetchResult(ref, outcome=Outcome.GAVE_UP, detail=exc.short)
        if not self.allowed(ref.url):
            return FetchResult(ref, outcome=Outcome.ROBOTS_DISALLOWED, detail="robots.txt")
        before = self._own_requests()
        self._mine.status = None
        try:
            answer = self.get(ref.url, validators)
        except RobotsDisallowed as exc:
            return self._ended(ref, before, Outcome.ROBOTS_DISALLOWED, str(exc))
        except (Refused, BodyTooLarge, UnsupportedEncoding) as exc:
            return self._ended(ref, before, Outcome.HTTP_ERROR, str(exc))
        except RetryableStatus as exc:
            return self._ended(ref, before, Outcome.GAVE_UP, f"HTTP {exc.status} after retries")
        except RetryAfterTooLong as exc:
            return self._ended(ref, before, Outcome.GAVE_UP, str(exc))
        except RETRYABLE as exc:
            return self._ended(ref, before, Outcome.GAVE_UP, transport_failure(self.site, exc))
        if answer.status == 304 and validators:
            return self._ended(ref, before, Outcome.UNCHANGED, "HTTP 304 not modified")
        if answer.status >= 300:
            return self._ended(ref, before, Outcome.HTTP_ERROR, f"HTTP {answer.status}")
        if is_challenge(answer.content, DISCOVERY.challenge_markers):  # the page never came:
            detail = "a bot challenge page came instead of the article"  # the next run tries again
            return self._ended(ref, before, Outcome.GAVE_UP, detail)
        page = RawPage(
            requested_url=ref.url,
            url=answer.url,
            status=answer.status,
            headers=answer.header_dict,
            content=answer.content,
            fetched_at=answer.started_at,
        )
        return FetchResult(ref, page=page, requests=self._own_requests() - before)

    def _ended(self, ref: ArticleRef, before: int, outcome: Outcome, detail: str) -> FetchResult:
        spent = self._own_requests() - before
        status = getattr(self._mine, "status", None)  # None: no answer arrived
        return FetchResult(ref, outcome=outcome, detail=detail, requests=spent, status=status)

    def _own_requests(self) -> int:
        return int(getattr(self._mine, "count", 0))
