"""The records that travel between stages. Frozen, so a stage can never edit another's data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class Status(StrEnum):
    """What the parser made of one page."""

    OK = "ok"
    NOT_ARTICLE = "not_article"
    FAILED = "failed"


class Outcome(StrEnum):
    """The one terminal outcome every URL ends a run in."""

    LOADED = "loaded"  # new or changed article written to the warehouse
    UNCHANGED = "unchanged"  # fetched and parsed, same content as stored
    SKIPPED = "skipped"  # already in the warehouse, outside the re-check window: not fetched
    NOT_ARTICLE = "not_article"
    QUARANTINED = "quarantined"  # parse failed; raw page kept with the reason
    ROBOTS_DISALLOWED = "robots_disallowed"
    HTTP_ERROR = "http_error"
    GAVE_UP = "gave_up"  # retries exhausted


@dataclass(frozen=True)
class Capture:
    """A web archive's copy of a page (issue 15): where it lies and when it was taken."""

    source: str  # "wayback" | "commoncrawl"
    url: str  # the capture: .../web/{timestamp}id_/{original}, or Common Crawl's WARC file
    time: datetime  # when the archive captured it (UTC), not when it was published
    original: str  # the URL as the archive captured it (scheme, host, query vary)
    offset: int | None = None  # Common Crawl: the record's byte range in its WARC file
    length: int | None = None


@dataclass(frozen=True)
class ArticleRef:
    """A candidate article found by discovery, before it is fetched."""

    url: str  # where to fetch it: on the configured base URL (the real site, a mirror, the replay)
    article_id: str  # generation-qualified: "new:5071654", "old:310783"
    seen_date: date | None  # listing/sitemap date, used for range filtering
    found_by: str  # discovery strategy: "sitemap", "listing:thoi-su", "rss"
    # From a web archive: its copies, best first (the next is tried when one is not the article).
    captures: tuple[Capture, ...] = ()
    # What a feed or listing said of it, if anything: kept in a partial record (issue 15)
    # when robots.txt forbids reading the page itself.
    headline: str | None = None
    lead: str | None = None


@dataclass(frozen=True)
class RawPage:
    """One HTTP response as received: the parser's only input, and what the archive keeps."""

    requested_url: str
    url: str  # after redirects
    status: int
    headers: dict[str, str]
    content: bytes
    fetched_at: datetime
    capture: Capture | None = None  # the archive's copy this page is; None: from the site


@dataclass(frozen=True)
class Article:
    """A cleaned article record; the field order is the order `lso-etl parse` prints."""

    article_id: str
    url: str  # canonical: https://baolangson.vn/<path>, whatever host served it
    headline: str
    sapo: str | None
    dateline: str | None
    body: str
    authors: tuple[str, ...]
    source: str | None
    captions: tuple[str, ...]
    published_at: datetime | None
    section: str | None
    layout: str
    provenance: dict[str, str]
    word_count: int
    content_hash: str
    parser_version: str
    images: tuple[tuple[str, str | None], ...] = ()  # (absolute src, caption)
    modified_at: datetime | None = None
    tags: tuple[str, ...] = ()
    subsection: str | None = None  # the breadcrumb's level below `section` (its top level)


@dataclass(frozen=True)
class ParseResult:
    """The parser's verdict on a page: an article, or why there is none."""

    status: Status
    reason: str | None = None
    article: Article | None = None


@dataclass(frozen=True)
class FetchResult:
    """A fetched (or refused) URL: a page when there is one, else the outcome and why."""

    ref: ArticleRef
    page: RawPage | None = None
    outcome: Outcome | None = None  # set only when the fetch itself ended the URL's journey
    detail: str | None = None
    requests: int = 0
    status: int | None = None  # HTTP status of the last answer when no page came (404, 503 ...)


@dataclass(frozen=True)
class UrlOutcome:
    """The terminal outcome of one URL in one run."""

    url: str
    article_id: str
    outcome: Outcome
    detail: str | None = None
    found_by: str | None = None


@dataclass
class RunCounts:
    """Per-outcome tally of a run; mutable because flows add batch after batch."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, outcomes: list[UrlOutcome]) -> None:
        for item in outcomes:
            self.counts[item.outcome.value] = self.counts.get(item.outcome.value, 0) + 1

    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class CrawlItem:
    """One candidate after fetch and parse: what the loader needs to decide its outcome."""

    fetched: FetchResult
    parsed: ParseResult | None = None  # None when the fetch already ended the URL's journey


@dataclass(frozen=True)
class ArchiveRecord:
    """Where one archived response lies, and what it was: a row of `archive_records`."""

    warc_file: str
    warc_offset: int
    warc_length: int
    run_id: str
    url: str
    requested_url: str
    article_id: str | None
    kind: str  # robots | article | discovery
    status: int
    fetched_at: datetime
    elapsed_ms: int | None
    bytes: int
    sha256: str
    etag: str | None
    last_modified: str | None


# A URL a discovery document lists, with its date when the document gives one.
Entry = tuple[str, date | None]


@dataclass(frozen=True)
class Document:
    """A discovery document as last read: its validators and what it listed."""

    url: str
    etag: str | None
    last_modified: str | None
    children: tuple[Entry, ...]  # child sitemaps
    pages: tuple[Entry, ...]  # article links


@dataclass(frozen=True)
class ListingSpan:
    """Page `page` of a listing ("listing:thoi-su", "json:57") listed items from `newest` back
    to `oldest` when it was read: a later discovery pass starts looking for a date from there."""

    listing: str
    page: int
    newest: date
    oldest: date
    seen_at: datetime | None = None  # aware; None: read in this pass
