"""What a failed request is worth trying again, and how many times.

Transport errors, timeouts, a cut body, 408, 429 and 5xx are retried with backoff, up to
`Settings.max_attempts`. A site that is plainly down gets fewer tries (`unreachable`): another
try a second later would only meet the same wall.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx
from tenacity import RetryCallState
from tenacity.stop import stop_base

from lso_etl.crawl.transfer import CorruptBody, DeadlineExceeded, Truncated
from lso_etl.crawl.unreachable import plainly_down

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# A cut body is a transfer failure like a reset: the next try usually arrives whole.
RETRYABLE = (httpx.TransportError, DeadlineExceeded, CorruptBody, Truncated)


class RetryableStatus(Exception):
    """A response worth retrying (408, 429, 5xx); carries the server's Retry-After, if any."""

    def __init__(self, status: int, retry_after: float | None) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.retry_after = retry_after


class RetryAfterTooLong(Exception):
    """The server asked us to come back later than we are willing to wait: try on a later run."""


class StopWhenPlainlyDown(stop_base):
    """A tenacity stop: the last failure says the site is down, and it had its few tries."""

    def __call__(self, retry_state: RetryCallState) -> bool:
        outcome = retry_state.outcome
        failure = outcome.exception() if outcome is not None else None
        down = plainly_down(failure) if failure is not None else None
        return down is not None and retry_state.attempt_number >= down.tries


def retry_after(value: str | None) -> float | None:
    """Retry-After in seconds, from either of its two forms (delta-seconds or an HTTP date)."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def transport_failure(site: str, failure: Exception) -> str:
    """A URL's `gave_up` detail: the site's state when it is plainly down, else the error."""
    down = plainly_down(failure)
    return f"{site} unreachable: {down.cause}" if down else f"{type(failure).__name__}: {failure}"


def robots_failure(failure: Exception) -> str:
    """Why robots.txt could not be read, as the cause of SiteUnreachable."""
    down = plainly_down(failure)
    if down is not None:
        return down.cause
    why = str(failure) or type(failure).__name__
    if isinstance(failure, RetryableStatus | httpx.TransportError):
        why += " after retries"
    return f"robots.txt unreadable ({why})"
