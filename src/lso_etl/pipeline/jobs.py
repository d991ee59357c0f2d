"""How each planned candidate is crawled: conditionally, afresh, or read from the raw archive.

A stored article is re-checked with the validators of its archived response, so an unchanged
page costs a 304. Not when that response was cut short: before truncation was caught
(issue 12) a page cut by a wrong Content-Length could be stored as complete, and a 304 would
keep the cut text for ever. The archived page is the evidence (an HTML page that opens `<html>`
and never closes it, see `crawl.completeness`), and such a page is fetched again without
validators. The same check keeps a cut page an interrupted run archived from being loaded, and
so does a CDN's bot challenge archived in an article's place: neither is the page.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lso_etl.crawl import archive
from lso_etl.crawl.transfer import conditional_headers
from lso_etl.models import ArticleRef
from lso_etl.pipeline.steps import Job, not_the_page
from lso_etl.store.crawl_state import archive_index, frontier

log = logging.getLogger(__name__)


def plan_jobs(
    con: Any,
    todo: Sequence[ArticleRef],
    known: set[str],
    states: dict[str, frontier.State],
    archive_dir: Path,
) -> list[Job]:
    """A stored article is re-checked conditionally (unless its archived page was cut short);
    a page an unfinished run archived whole is read from the archive, not fetched again (a
    finished one is fetched afresh when it is due)."""
    recheck = [r for r in todo if r.article_id in known]
    validators = archive_index.validators(con, [r.url for r in recheck])
    checked = [r.article_id for r in recheck if r.url in validators]
    cut = _not_the_page(archive_dir, archive_index.archived_pages(con, checked))
    unfinished = [
        r.article_id
        for r in todo
        if r.article_id not in known and getattr(states.get(r.article_id), "state", "") != "done"
    ]
    archived = archive_index.archived_pages(con, unfinished)  # checked when read (steps)
    if cut:
        log.warning("%d archived pages were cut short or a challenge: fetched afresh", len(cut))
    return [
        Job(
            r,
            None if r.article_id in cut else archived.get(r.article_id),
            _conditional(validators, r.url, r.article_id in known and r.article_id not in cut),
        )
        for r in todo
    ]


def _not_the_page(archive_dir: Path, pages: dict[str, tuple[str, int]]) -> set[str]:
    """The article ids whose archived page (WARC file, offset) is cut short, a bot challenge,
    or unreadable."""
    cut = set()
    for article_id, (warc_file, offset) in pages.items():
        try:
            page = archive.read_page(archive_dir, warc_file, offset)
        except Exception as exc:  # a damaged archive proves nothing: fetching afresh is safe
            log.warning("archived page of %s unreadable (%s): fetched afresh", article_id, exc)
            cut.add(article_id)
            continue
        if not_the_page(page):
            cut.add(article_id)
    return cut


def _conditional(
    validators: dict[str, tuple[str | None, str | None]], url: str, conditional: bool
) -> dict[str, str] | None:
    seen = validators.get(url) if conditional else None
    return conditional_headers(*seen) if seen else None
