"""What a batch becomes, decided before anything is written: pure, so it is tested alone.

Each crawled item gets its terminal outcome and the rows it needs: a quarantined page, a new
article version (with the version it closes), or only a new fetch time for an unchanged one.
A version is a distinct record: the text (content hash) or any other field of it (`record_of`).
Every parse into a record, unchanged ones too, is kept (`Parse`) with its layout and provenance.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from lso_etl.models import Article, CrawlItem, Outcome, Status, UrlOutcome


@dataclass(frozen=True)
class Stored:
    """What the warehouse holds of an article before the batch: enough to version it."""

    content_hash: str
    version: int
    first_seen_at: datetime
    record: tuple[Any, ...] | None = None  # `record_of` the stored row; None: compare text only
    read_as: tuple[str, dict[str, str]] | None = None  # stored layout and provenance


@dataclass(frozen=True)
class Write:
    """One article version to store; `replaces` when an earlier version is still open."""

    article: Article
    fetched_at: datetime
    version: int
    first_seen_at: datetime
    replaces: bool
    valid_to: datetime | None = None  # set when a later copy in the same batch supersedes it


@dataclass(frozen=True)
class Parse:
    """A page parsed into a record by this run, loaded or not: what `article_parses` keeps."""

    article: Article
    parsed_at: datetime
    outcome: Outcome  # LOADED or UNCHANGED
    version: int


@dataclass
class BatchPlan:
    outcomes: list[UrlOutcome] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)
    quarantined: list[CrawlItem] = field(default_factory=list)
    unchanged: dict[str, datetime] = field(default_factory=dict)  # id -> latest fetch time
    parses: list[Parse] = field(default_factory=list)
    reread: dict[str, Article] = field(default_factory=dict)  # unchanged, read another way


# Fields besides the text (content hash) whose change makes a new version. Layout, provenance
# and parser version say how a record was read, not what it says: they are kept per parse.
RECORD_FIELDS = (
    "url", "dateline", "authors", "source", "captions", "images", "published_at",
    "modified_at", "section", "subsection", "tags",
)  # fmt: skip
# What the site's own layouts always give: a fallback record without one of them is flagged.
EXPECTED_OF_SITE_LAYOUTS = ("authors", "section")


def record_of(values: Mapping[str, Any]) -> tuple[Any, ...]:
    """The comparable record: the same tuple from an `Article`'s fields or a stored row's
    (lists and tuples alike, images as (src, caption), instants in UTC, absent as None)."""
    return tuple(_comparable(values.get(name)) for name in RECORD_FIELDS)


def article_record(article: Article) -> tuple[Any, ...]:
    fields = {name: getattr(article, name, None) for name in RECORD_FIELDS}
    return record_of(fields)


def _comparable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, dict):  # an image as DuckDB returns the struct
        return (value.get("src"), value.get("caption"))
    if isinstance(value, list | tuple):
        return tuple(_comparable(item) for item in value)
    return value


def fallback_gaps(article: Article) -> tuple[str, ...]:
    """Fields the site's layouts always give that this fallback record lacks (none otherwise)."""
    if article.layout != "fallback":
        return ()
    return tuple(name for name in EXPECTED_OF_SITE_LAYOUTS if not getattr(article, name))


def plan_batch(items: Sequence[CrawlItem], stored: Mapping[str, Stored]) -> BatchPlan:
    """Each item's outcome and the rows it needs, in item order (the same page twice in one
    batch is a new version and then `unchanged`, exactly as two batches would make it)."""
    plan = BatchPlan()
    current = dict(stored)
    latest: dict[str, int] = {}  # id -> index in plan.writes of its newest version
    for item in items:
        ref, page, parsed = item.fetched.ref, item.fetched.page, item.parsed
        if parsed is None or page is None:
            outcome = item.fetched.outcome or Outcome.GAVE_UP
            plan.outcomes.append(
                UrlOutcome(ref.url, ref.article_id, outcome, item.fetched.detail, ref.found_by)
            )
            continue
        if parsed.status is Status.NOT_ARTICLE:
            plan.outcomes.append(
                UrlOutcome(
                    ref.url, ref.article_id, Outcome.NOT_ARTICLE, parsed.reason, ref.found_by
                )
            )
            continue
        if parsed.status is Status.FAILED or parsed.article is None:
            plan.quarantined.append(item)
            plan.outcomes.append(
                UrlOutcome(
                    ref.url, ref.article_id, Outcome.QUARANTINED, parsed.reason, ref.found_by
                )
            )
            continue
        article = parsed.article
        before = current.get(article.article_id)
        if before is not None and _same_record(before, article):
            plan.unchanged[article.article_id] = max(
                page.fetched_at, plan.unchanged.get(article.article_id, page.fetched_at)
            )
            plan.parses.append(Parse(article, page.fetched_at, Outcome.UNCHANGED, before.version))
            read_as = (article.layout, article.provenance)
            if before.read_as != read_as:  # a fallback re-parse must show in the record
                plan.reread[article.article_id] = article
                current[article.article_id] = replace(before, read_as=read_as)
            plan.outcomes.append(
                UrlOutcome(ref.url, article.article_id, Outcome.UNCHANGED, None, ref.found_by)
            )
            continue
        if article.article_id in latest:  # superseded within this batch: close that version
            index = latest[article.article_id]
            plan.writes[index] = replace(plan.writes[index], valid_to=page.fetched_at)
        write = Write(
            article,
            page.fetched_at,
            before.version + 1 if before else 1,
            before.first_seen_at if before else page.fetched_at,
            replaces=before is not None and article.article_id not in latest,
        )
        latest[article.article_id] = len(plan.writes)
        plan.writes.append(write)
        current[article.article_id] = Stored(
            article.content_hash,
            write.version,
            write.first_seen_at,
            article_record(article),
            (article.layout, article.provenance),
        )
        plan.reread.pop(article.article_id, None)  # the new version carries its own layout
        plan.parses.append(Parse(article, page.fetched_at, Outcome.LOADED, write.version))
        detail = "new" if before is None else "updated"
        plan.outcomes.append(
            UrlOutcome(ref.url, article.article_id, Outcome.LOADED, detail, ref.found_by)
        )
    return plan


def _same_record(before: Stored, article: Article) -> bool:
    if before.content_hash != article.content_hash:
        return False
    return before.record is None or before.record == article_record(article)
