"""Reading discovery documents, where every problem is a hole in the candidate list.

A document that answers 403, 5xx after retries, or 200 with something that is not the document
(a bot challenge page, an unparsable body) is recorded, and the discovery pass then fails with
`DiscoveryIncomplete`: the run (or backfill chunk) is recorded failed, not finished, and a rerun
reads the document again. Only a 404/410 of a document that may legitimately be absent (a
top-level sitemap, the page past a listing's last one) is an answer rather than a failure.
Budgets reached (`Settings.max_sitemaps` and friends) fail the pass the same way. A site
that is plainly down (DNS, refused, TLS: `unreachable`) ends the pass at once with
`SiteUnreachable`: the other documents would only meet the same wall.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from lso_etl.crawl.completeness import is_challenge
from lso_etl.crawl.fetch import REQUEST_FAILURES, Fetcher
from lso_etl.crawl.transfer import BodyTooLarge, conditional_headers
from lso_etl.crawl.unreachable import plainly_down
from lso_etl.errors import SiteUnreachable, UserError
from lso_etl.models import Document, Entry, ListingSpan
from lso_etl.site.discovery import DISCOVERY, DiscoveryProfile

log = logging.getLogger(__name__)

ABSENT = frozenset({404, 410})

Parse = Callable[[bytes, str], tuple[list[Entry], list[Entry]]]


class DiscoveryIncomplete(UserError):
    """A discovery document (or robots.txt) could not be read, or a discovery budget was
    reached: the candidate list has holes.

    Raised rather than logged, so the run (or backfill chunk) fails and is retried later,
    instead of being recorded as complete with articles silently missing. `failed` maps each
    document that could not be read to why, so a backfill's later chunks do not ask again.
    """

    def __init__(self, message: str, failed: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.failed = dict(failed or {})


@dataclass
class Reader:
    """Reads the discovery documents of one pass; remembers what it read for the next pass."""

    fetcher: Fetcher
    cache: Mapping[str, Document] = field(default_factory=dict)
    profile: DiscoveryProfile = DISCOVERY
    fresh: dict[str, Document] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)  # url -> why
    # Documents that failed earlier in this backfill: not asked again (a 503 storm, a 403).
    failed_before: Mapping[str, str] = field(default_factory=dict)
    budget_hits: list[str] = field(default_factory=list)
    not_modified: int = 0
    # Listing pages' date spans: an earlier pass's, by listing, to start closer; this pass's.
    hints: Mapping[str, Sequence[ListingSpan]] = field(default_factory=dict)
    spans: list[ListingSpan] = field(default_factory=list)

    def read(self, url: str, parse: Parse, absent_ok: bool = True) -> Document | None:
        """The document at `url`; None when it is absent (404/410 and `absent_ok`), disallowed
        by robots.txt, or failed (then recorded: the pass will raise DiscoveryIncomplete)."""
        if not self.fetcher.allowed(url):
            log.warning("discovery document %s: robots.txt disallows it, not read", url)
            return None
        if url in self.failed_before:
            return self._fail(url, f"{self.failed_before[url]}, earlier in this backfill")
        cached = self.cache.get(url)
        validators = conditional_headers(cached.etag, cached.last_modified) if cached else None
        try:
            cap = self.fetcher.settings.max_discovery_bytes
            answer = self.fetcher.get(url, validators, max_body=cap)
        except REQUEST_FAILURES as exc:
            down = plainly_down(exc)
            if down is not None:  # every other document would fail the same way: stop now
                raise SiteUnreachable(self.fetcher.site, down.cause) from None
            return self._fail(url, self._why(exc))
        if answer.status == 304 and cached is not None:
            self.not_modified += 1
            return cached
        if answer.status in ABSENT and absent_ok:  # the end of a listing, a sitemap not offered
            log.info("discovery document %s answered %s: absent", url, answer.status)
            return None
        if answer.status != 200:
            return self._fail(url, f"HTTP {answer.status}")
        if self._is_challenge(answer.content):
            return self._fail(url, "a bot challenge page came instead of the document")
        try:
            children, pages = parse(answer.content, answer.url)
        except (ET.ParseError, ValueError) as exc:
            return self._fail(url, f"unreadable: {exc}")
        doc = Document(url, answer.header("etag"), answer.header("last-modified"),
                       tuple(children), tuple(pages))  # fmt: skip
        self.fresh[url] = doc
        return doc

    def budget_hit(self, message: str) -> None:
        """A discovery budget was reached: logged now, and the pass fails at its end."""
        log.warning("%s", message)
        self.budget_hits.append(message)

    def raise_if_incomplete(self) -> None:
        failed = [f"could not read {url} ({why})" for url, why in self.failed.items()]
        problems = [*self.budget_hits, *failed]
        if problems:
            more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
            raise DiscoveryIncomplete(
                f"discovery incomplete, nothing recorded as finished: {problems[0]}{more}",
                self.failed,
            )

    def _fail(self, url: str, why: str) -> Document | None:
        """Record a document that could not be read; None, as `read` returns for it."""
        log.warning("discovery document %s: %s", url, why)
        self.failed[url] = why
        return None

    def _why(self, exc: Exception) -> str:
        if isinstance(exc, BodyTooLarge):
            cap = self.fetcher.settings.max_discovery_bytes
            return f"{exc}; raise LSO_MAX_DISCOVERY_BYTES (now {cap}) to read it"
        return str(exc) or type(exc).__name__

    def _is_challenge(self, body: bytes) -> bool:
        return is_challenge(body, self.profile.challenge_markers)
