"""Fetch+parse for archive candidates: each capture tried in turn until one is the article.

Whether a capture is the article only the parser can tell (a soft 404 or an error page was
archived with status 200 and the site's own chrome), so the fallback lives here, above crawl
and extract both. Pages fetched while discovery narrowed the range (`archive_probe`) are
not fetched again. An article whose page says it was published outside the backfill's range
is dropped before loading: it belongs to another range, whose run will read it from the raw
archive without a request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date

from lso_etl.crawl.archives.fetcher import ArchiveFetcher
from lso_etl.extract.parse import parse_page
from lso_etl.models import ArticleRef, CrawlItem, Outcome, Status
from lso_etl.pipeline.archives.probe import site_day
from lso_etl.pipeline.steps import Job, crawl_one

log = logging.getLogger(__name__)


def crawl_captures(
    fetcher: ArchiveFetcher,
    jobs: Sequence[Job],
    max_tries: int,
    in_range: Callable[[date | None], bool],
    probed: Mapping[str, CrawlItem],
) -> list[CrawlItem]:
    items = []
    for job in jobs:
        ref = job.ref
        if ref.article_id in probed:  # read while discovery narrowed the range
            item = probed[ref.article_id]
            item = replace(item, fetched=replace(item.fetched, ref=ref))
        elif job.archived is not None or not ref.captures:
            item = crawl_one(fetcher, job)  # the raw archive, or the site (`auto`)
        else:
            item = first_article(fetcher, ref, max_tries)
        article = item.parsed.article if item.parsed else None
        day = site_day(article.published_at) if article else None
        if not in_range(day):
            log.info("%s: published %s, outside the range: not loaded", ref.article_id, day)
            continue
        items.append(item)
    return items


def first_article(fetcher: ArchiveFetcher, ref: ArticleRef, max_tries: int) -> CrawlItem:
    """The first of `ref`'s captures that parses as the article, or the last failure."""
    spent, last = 0, None
    for capture in ref.captures[:max_tries]:
        fetched = fetcher.fetch_capture(ref, capture)
        spent += fetched.requests
        parsed = parse_page(fetched.page) if fetched.page is not None else None
        last = CrawlItem(replace(fetched, requests=spent), parsed)
        if parsed is not None and parsed.status is Status.OK:
            return last
        if fetched.outcome is Outcome.GAVE_UP:  # the archive stopped answering: not the next
            break
        log.info("%s: capture %s is not the article, next", ref.article_id, capture.url)
    assert last is not None
    return last
