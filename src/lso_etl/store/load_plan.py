"""What a batch becomes, decided before anything is written: pure, so it is tested alone.

Each crawled item gets its terminal outcome and the rows it needs: a quarantined page, a new
article version (with the version it closes), or only a new fetch time for an unchanged one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from lso_etl.models import Article, CrawlItem, Outcome, Status, UrlOutcome


@dataclass(frozen=True)
class Stored:
    """What the warehouse holds of an article before the batch: enough to version it."""

    content_hash: str
    version: int
    first_seen_at: datetime


@dataclass(frozen=True)
class Write:
    """One article version to store; `replaces` when an earlier version is still open."""

    article: Article
    fetched_at: datetime
    version: int
    first_seen_at: datetime
    replaces: bool
    valid_to: datetime | None = None  # set when a later copy in the same batch supersedes it


@dataclass
class BatchPlan:
    outcomes: list[UrlOutcome] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)
    quarantined: list[CrawlItem] = field(default_factory=list)
    unchanged: dict[str, datetime] = field(default_factory=dict)  # id -> latest fetch time


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
        if before is not None and before.content_hash == article.content_hash:
            plan.unchanged[article.article_id] = max(
                page.fetched_at, plan.unchanged.get(article.article_id, page.fetched_at)
            )
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
            article.content_hash, write.version, write.first_seen_at
        )
        detail = "new" if before is None else "updated"
        plan.outcomes.append(
            UrlOutcome(ref.url, article.article_id, Outcome.LOADED, detail, ref.found_by)
        )
    return plan
