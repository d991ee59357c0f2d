"""One HTTP client for the web archives: paced per host, their robots.txt obeyed, 429s honoured.

Same User-Agent as the site crawler, same size and time caps (`transfer.exchange`). A 429
backs the whole host off (`Pacing.throttled`) and the request is asked again once the wait is
over; a host that keeps refusing raises `HostStopped`, which ends that host's part of the run.
Other failures (5xx, transport) get the usual few retries.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from types import TracebackType
from urllib.parse import urlsplit

import httpx
from protego import Protego

from lso_etl.crawl.archives.pacing import HostStopped, Pacing
from lso_etl.crawl.archives.provenance import shown
from lso_etl.crawl.retries import RETRYABLE, retry_after, robots_failure
from lso_etl.crawl.transfer import BodyTooLarge, Exchange, Limits, exchange, tls_context
from lso_etl.errors import SiteUnreachable
from lso_etl.settings import Settings

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({500, 502, 503, 504})


class _NoCredentials(logging.Filter):
    """httpx logs every request's URL; an archive's redirect to a capture listed with
    `user:pass@` in it would put them in the log (`provenance.shown`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(shown(str(a)) if isinstance(a, httpx.URL) else a
                                for a in record.args)  # fmt: skip
        return True


logging.getLogger("httpx").addFilter(_NoCredentials())


class ArchiveUnavailable(Exception):
    """A request to an archive that could not be answered (after retries), or robots.txt says no."""


class DamagedCapture(ArchiveUnavailable):
    """The archive answered, but its copy of this capture is damaged or another page's: asking
    again cannot mend it, so the next capture is tried and a rerun does not ask again."""


class ArchiveClient:
    """GETs to the archives' hosts, through `Pacing`, archived by `recorder` when given."""

    def __init__(self, settings: Settings, pacing: Pacing, recorder: object | None = None) -> None:
        self.settings = settings
        self.pacing = pacing
        self.recorder = recorder
        self.limits = Limits(settings.max_body_bytes, settings.total_timeout)
        self._robots: dict[str, Protego] = {}
        self._unreachable: dict[str, str] = {}  # host root -> why its robots.txt could not be read
        self.requests: dict[str, int] = {}  # host -> requests made
        self.by_lane: dict[str, int] = {}  # lane -> requests made (playback, data: captures)
        self.bytes_fetched = 0
        self.client = httpx.Client(
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(
                min(settings.read_timeout, settings.total_timeout), connect=settings.connect_timeout
            ),
            follow_redirects=False,
            verify=tls_context(),
        )

    def __enter__(self) -> ArchiveClient:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.client.close()

    @property
    def requests_made(self) -> int:
        return sum(self.requests.values())

    def allowed(self, url: str) -> bool:
        """The archive's own robots.txt, read once per host (unreadable: 4xx allows all,
        a failure to read it forbids all, as RFC 9309 says: SiteUnreachable, once per host)."""
        if not self.settings.respect_robots:
            return True
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        if root in self._unreachable:  # asked once per run: no storm against a dead host
            raise SiteUnreachable(root, self._unreachable[root])
        if root not in self._robots:
            try:
                answer = self._send(root + "/robots.txt", "robots", {})
            except ArchiveUnavailable as exc:
                # Everything is disallowed (RFC 9309), and the cause is the host, not a rule.
                cause = exc.__cause__
                why = (
                    robots_failure(cause) if isinstance(cause, Exception) else f"robots.txt: {exc}"
                )
                self._unreachable[root] = why
                raise SiteUnreachable(root, why) from None
            text = answer.content.decode("utf-8", "replace") if answer.status < 300 else ""
            self._robots[root] = Protego.parse(text if answer.status < 500 else "Disallow: /")
        return bool(self._robots[root].can_fetch(url, self.settings.user_agent))

    def get(
        self,
        url: str,
        lane: str,
        headers: dict[str, str] | None = None,
        params: Mapping[str, str | list[str]] | None = None,
    ) -> Exchange:
        """GET `url` (with `params` as its query) in `lane` (its pace); the host's robots.txt
        obeyed. Raises HostStopped (the host refuses us), SiteUnreachable (its robots.txt
        could not be read) or ArchiveUnavailable."""
        if params:
            url = str(httpx.URL(url, params=params))
        if not self.allowed(url):
            raise ArchiveUnavailable(f"{shown(url)}: the archive's robots.txt disallows it")
        return self._send(url, lane, headers or {})

    def _send(self, url: str, lane: str, headers: dict[str, str]) -> Exchange:
        host, named = urlsplit(url).netloc, shown(url)  # `named`: what errors and logs say
        failures = 0
        while True:
            self.pacing.turn(host, lane)  # raises HostStopped while the host is given up
            self.requests[host] = self.requests.get(host, 0) + 1
            self.by_lane[lane] = self.by_lane.get(lane, 0) + 1
            try:
                answer = exchange(self.client, url, headers, self.limits)
            except BodyTooLarge as exc:  # the host works: this answer is too big, every time
                raise ArchiveUnavailable(f"{named}: {type(exc).__name__}: {exc}") from exc
            except httpx.InvalidURL as exc:  # httpx reads a redirect's Location even unfollowed
                raise ArchiveUnavailable(
                    f"{named}: redirected off the archive, to an address that is no URL ({exc}):"
                    " not followed"
                ) from None
            except RETRYABLE as exc:
                failures += 1
                try:
                    self._failed(host, named, f"{type(exc).__name__}: {exc}", failures)
                except ArchiveUnavailable as gave_up:
                    raise gave_up from exc  # the cause says whether the host is plainly down
                continue
            self.bytes_fetched += len(answer.content)
            if answer.status == 429:
                wait = self.pacing.throttled(host, retry_after(answer.header("retry-after")))
                log.warning("%s answered 429: no request to it for %.0f s", host, wait)
                continue
            if answer.status in RETRY_STATUSES:
                failures += 1
                self._failed(host, named, f"HTTP {answer.status}", failures)
                continue
            self.pacing.answered(host)
            if self.recorder is not None and lane != "playback":  # playback: see fetcher
                self.recorder.response(url, answer)  # type: ignore[attr-defined]
            return answer

    def _failed(self, host: str, url: str, why: str, failures: int) -> None:
        """Back the host off after a failure (HostStopped: it keeps failing); ArchiveUnavailable
        when this request has had its tries."""
        wait = self.pacing.failed(host, why)
        if failures >= self.settings.max_attempts:
            raise ArchiveUnavailable(f"{url}: {why} after {failures} tries")
        log.warning("%s: %s: no request to %s for %.0f s", url, why, host, wait)


__all__ = ["ArchiveClient", "ArchiveUnavailable", "DamagedCapture", "HostStopped"]
