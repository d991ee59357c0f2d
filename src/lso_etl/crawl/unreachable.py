"""When a failed connection means the whole site is down, not one page, and what that is worth.

A name that does not resolve, a refused connection, a failed TLS handshake, a connection that
never opens: every URL of the site would fail the same way, so these end the run
(`SiteUnreachable`) instead of costing each URL its four tries with backoff.

Tries per cause, and why:
- DNS lookup failed: 1. The system resolver has already retried (resolv.conf `attempts` and
  `timeout`) before it answered; a name that does not resolve now will not in two seconds.
- TLS handshake failed: 1. A certificate or protocol mismatch is configuration: every try
  gets the same answer.
- connection refused, no route, connection timed out: 2. A server being restarted refuses for
  a moment, so one retry after the backoff is worth it; more is waiting on a host that is
  down (a timed-out connect costs `LSO_CONNECT_TIMEOUT` each time).
"""

from __future__ import annotations

import errno
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass

import httpx

_NO_ROUTE = {errno.ENETUNREACH: "network unreachable", errno.EHOSTUNREACH: "no route to host"}


@dataclass(frozen=True)
class Down:
    cause: str  # what a person reads: "DNS lookup failed (Name or service not known)"
    tries: int  # how many attempts this cause deserves


def plainly_down(failure: BaseException) -> Down | None:
    """Why `failure` (from httpx) means the site cannot be reached at all; None otherwise."""
    if isinstance(failure, httpx.ConnectTimeout):
        return Down("connection timed out", 2)
    if not isinstance(failure, httpx.ConnectError):
        return None  # a reset, a timeout mid-response, a 5xx: the site answered, retry as usual
    for inner in _causes(failure):
        if isinstance(inner, socket.gaierror):
            return Down(f"DNS lookup failed ({inner.strerror or inner})", 1)
        if isinstance(inner, ssl.SSLError):
            return Down(f"TLS handshake failed ({inner.reason or inner})", 1)
        if isinstance(inner, ConnectionRefusedError):
            return Down("connection refused", 2)
        if isinstance(inner, OSError) and inner.errno in _NO_ROUTE:
            return Down(_NO_ROUTE[inner.errno], 2)
    return None


def _causes(failure: BaseException) -> Iterator[BaseException]:
    """The exception and what it wraps (httpx wraps httpcore, which wraps the OSError)."""
    seen: set[int] = set()
    current: BaseException | None = failure
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__
