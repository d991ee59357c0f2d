"""Faults the replay site can inject, per path (a queue) or by a seeded rate, and what each sends.

A fault is an HTTP status (500, 503, 429, 408, 404, ...) or one of the named kinds below. Each
becomes a `Reply`: what to send and how (whole, cut short, dripped, reset, after a delay). The
choice for a rate is a hash of (seed, request target, how many times it was requested), so it
is the same on every run whatever the order or concurrency of the requests.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from functools import cache
from http import HTTPStatus

from lso_etl.replay import feeds
from lso_etl.replay.routes import HTML, XML

Fault = int | str

LOOP_QUERY = "lso_loop=1"  # a request carrying this is always sent back where it came from
MOVED_QUERY = "lso_moved=1"
OVERSIZE_BYTES = 6 * 1024 * 1024  # over the crawler's 5 MB default cap
NESTED_DIVS = 100_000
BOMB_BYTES = 64 * 1024 * 1024  # inflates to this from ~64 KB on the wire

# kind -> what it simulates
KINDS = {
    "reset": "the connection is reset before any response",
    "truncate": "headers promise the whole body, half of it comes, then the connection closes"
    " (a Content-Length longer than the body)",
    "short-length": "a Content-Length that ends mid-word in the article text; the whole body"
    " follows it on a connection kept open (the rest looks like the start of the next answer)",
    "gzip-cut": "the page gzipped and cut in half, with a Content-Length that matches the cut",
    "challenge": 'a 200 "Just a moment..." bot challenge page (HTML) instead of what was asked',
    "slow": "the response starts only after `slow_seconds` (beyond the client's read timeout)",
    "drip": "the body comes in small pieces for `slow_seconds` (beyond the total timeout)",
    "loop": "a redirect that leads back to itself",
    "offsite": "a redirect to another host",
    "other-scheme": "a redirect to the same host and path in another scheme (ftp:)",
    "moved": "a permanent redirect to the same page elsewhere on the site (followed, loads)",
    "oversize": "a 6 MB body with a Content-Length saying so",
    "oversize-unsized": "a 6 MB body with no Content-Length (read until the cap)",
    "bomb": "a gzip body of ~64 KB that inflates to 64 MB",
    "nocharset": "the page, with no charset in Content-Type (the page's <meta> says UTF-8)",
    "badcharset": "the page (UTF-8) served as windows-1252",
    "429-long": "429 with Retry-After: 3600 (over the crawler's cap)",
    "429-date": "429 with Retry-After as an HTTP date two seconds ahead",
    "nested": "the page with its body wrapped in 100,000 nested <div>s (1.1 MB more): Lexbor"
    " builds that in quadratic time (40-57 s before the parse's pre-scan)",
    "sitemap-chain": "a sitemap index that names only the next link of an endless chain of"
    " indexes (/sitemap.xml?n=1, then ?n=2, ...)",
}
# Served only when queued: the chain replaces the sitemap index, which has no meaning on others.
# (and `nested`, added after the chaos mix was fixed: drawing it would reshuffle that mix.)
QUEUED_ONLY = frozenset({"sitemap-chain", "nested"})
# The mix a rate draws from: the other kinds and the retried statuses, in a fixed order.
CHAOS_MIX: tuple[Fault, ...] = (500, 503, 429, 408, *(k for k in KINDS if k not in QUEUED_ONLY))


# What a bot-protection proxy sends instead of the page (the shape of Cloudflare's).
CHALLENGE_PAGE = (
    b'<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>'
    b'<meta name="robots" content="noindex,nofollow"></head><body><div class="main-wrapper">'
    b'<h1>baolangson.vn</h1><h2 id="challenge-running">Checking if the site connection is'
    b" secure</h2><noscript>Enable JavaScript and cookies to continue</noscript></div>"
    b'<script>window._cf_chl_opt={cvId: "3"};</script></body></html>\n'
)


@dataclass(frozen=True)
class Reply:
    """What the server sends for one request."""

    status: int
    headers: dict[str, str]
    body: bytes
    mode: str = "whole"  # whole | truncate | short-length | drip | reset | unsized
    delay: float = 0.0  # seconds before anything is sent
    fault: Fault | None = None


@dataclass
class RateFaults:
    """Faults drawn for a share of all requests, deterministically from a seed."""

    rate: float
    seed: int = 0
    mix: tuple[Fault, ...] = CHAOS_MIX
    exempt: tuple[str, ...] = ("/robots.txt",)  # a lost robots.txt disallows the whole site
    _seen: dict[str, int] = field(default_factory=dict)

    def pick(self, target: str, path: str) -> Fault | None:
        """The fault for this request of `target`, or None (call under the site's lock)."""
        nth = self._seen.get(target, 0)
        self._seen[target] = nth + 1
        if self.rate <= 0 or path in self.exempt:
            return None
        digest = hashlib.sha256(f"{self.seed}:{target}:{nth}".encode()).digest()
        if int.from_bytes(digest[:8], "big") / 2**64 >= self.rate:
            return None
        return self.mix[int.from_bytes(digest[8:12], "big") % len(self.mix)]


def fault_reply(
    fault: Fault, target: str, page: Reply, slow_seconds: float, host: str = "127.0.0.1"
) -> Reply:
    """The reply for `fault` on a request whose normal reply is `page`; `host` is the site's
    own host and port (for a redirect that stays on it)."""
    if isinstance(fault, int):
        return _status(fault)
    path = target.split("?", 1)[0]
    match fault:
        case "reset":
            return Reply(0, {}, b"", mode="reset", fault=fault)
        case "truncate" | "drip":
            return replace(page, mode=fault, fault=fault, delay=0.0)
        case "short-length":
            return replace(page, mode="short-length", fault=fault)
        case "gzip-cut":
            packed = gzip.compress(page.body)
            headers = {**page.headers, "Content-Encoding": "gzip"}
            return replace(page, headers=headers, body=packed[: len(packed) // 2], fault=fault)
        case "sitemap-chain":
            chain = feeds.render_chain_index(f"http://{host}", 0).encode()
            return Reply(200, {"Content-Type": XML}, chain, fault=fault)
        case "nested":
            head, _, rest = page.body.partition(b"<body")
            tag, _, body = rest.partition(b">")
            inner, _, tail = body.rpartition(b"</body>")
            nested = b"<div>" * NESTED_DIVS + inner + b"</div>" * NESTED_DIVS
            return replace(
                page,
                body=b"".join((head, b"<body", tag, b">", nested, b"</body>", tail)),
                fault=fault,
            )
        case "challenge":
            return Reply(200, {"Content-Type": HTML}, CHALLENGE_PAGE, fault=fault)
        case "slow":
            return replace(page, delay=slow_seconds, fault=fault)
        case "loop":
            return _redirect(302, f"{path}?{LOOP_QUERY}", fault)
        case "moved":
            return _redirect(301, f"{path}?{MOVED_QUERY}", fault)
        case "offsite":
            return _redirect(302, f"https://example.com{path}", fault)
        case "other-scheme":
            return _redirect(302, f"ftp://{host}{path}", fault)
        case "oversize" | "oversize-unsized":
            mode = "unsized" if fault == "oversize-unsized" else "whole"
            return Reply(200, {"Content-Type": HTML}, _oversize(), mode=mode, fault=fault)
        case "bomb":
            headers = {"Content-Type": HTML, "Content-Encoding": "gzip"}
            return Reply(200, headers, _bomb(), fault=fault)
        case "nocharset" | "badcharset":
            kind = "text/html" if fault == "nocharset" else "text/html; charset=windows-1252"
            return replace(page, headers={**page.headers, "Content-Type": kind}, fault=fault)
        case "429-long" | "429-date":
            later = format_datetime(datetime.now(UTC) + timedelta(seconds=2), usegmt=True)
            retry_after = "3600" if fault == "429-long" else later
            return replace(
                _status(429),
                headers={"Content-Type": HTML, "Retry-After": retry_after},
                fault=fault,
            )
    raise ValueError(f"unknown fault {fault!r}; known: {', '.join(KINDS)} or an HTTP status")


def short_length(body: bytes) -> int:
    """A Content-Length for `body` that ends inside a word halfway through its paragraphs."""
    first, last = body.find(b"<p"), body.rfind(b"</p>")
    cut = (first + last) // 2 if 0 <= first < last else len(body) // 2
    # Forward to a point between two letters, so the kept part ends mid-word.
    while cut < len(body) - 1 and not (body[cut - 1 : cut + 1].isalpha()):
        cut += 1
    return cut


def warm(faults: Iterable[Fault]) -> None:
    """Build the big bodies before the first request needs them (a bomb takes ~0.3 s to make,
    and a client's read timeout in a test can be shorter than that)."""
    wanted = set(faults)
    if "bomb" in wanted:
        _bomb()
    if wanted & {"oversize", "oversize-unsized"}:
        _oversize()


def loop_back(target: str) -> Reply | None:
    """The second leg of a redirect loop: any request marked by `loop` goes back."""
    path, _, query = target.partition("?")
    return _redirect(302, path, "loop") if LOOP_QUERY in query else None


def _status(status: int) -> Reply:
    phrase = HTTPStatus(status).phrase
    body = f"<html><body><h1>{status} {phrase}</h1></body></html>\n".encode()
    headers = {"Content-Type": HTML}
    if status == 429:
        headers["Retry-After"] = "1"
    return Reply(status, headers, body, fault=status)


def _redirect(status: int, location: str, fault: Fault) -> Reply:
    return Reply(status, {"Content-Type": HTML, "Location": location}, b"", fault=fault)


@cache
def _oversize() -> bytes:
    filler = b"<p>" + b"x" * 1020 + b"</p>\n"
    return b"<html><body>" + filler * (OVERSIZE_BYTES // len(filler) + 1) + b"</body></html>"


@cache
def _bomb() -> bytes:
    return gzip.compress(b" " * BOMB_BYTES, compresslevel=9)
