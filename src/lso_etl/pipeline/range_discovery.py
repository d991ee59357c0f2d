"""A backfill discovers its whole range once, then hands each chunk its share of the candidates.

Discovering chunk by chunk read robots.txt, the sitemap index and every section listing again
for each chunk: a 2015..2025 backfill of a handful of articles made 1,123 requests, and where
a site has only paginated listings each chunk walked from today back to its own month, a cost
that grows with the square of the range. Here the first chunk run discovers from its own start
to the last chunk's end (its run row counts those requests, its archive keeps the documents),
and later chunks take their cut without a request.

A chunk run twice (a retry) discovers again, from its own start: what was cut for it has been
handed out. When the whole range's discovery is incomplete (one month's sitemap answering 403,
a budget reached), the chunk falls back to discovering its own window alone, and so do the
chunks after it: only the chunks whose own documents fail are left unfinished, as before. A
document that failed is not asked again by this backfill (a server answering 503 is not
helped by a second storm of retries): the chunks that need it fail without a request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from lso_etl.crawl.discovery.discover import Discovery, split_by_window
from lso_etl.crawl.discovery.reader import DiscoveryIncomplete
from lso_etl.crawl.fetch import Fetcher
from lso_etl.crawl.robots import RobotsMemo
from lso_etl.models import Document, ListingSpan

log = logging.getLogger(__name__)

Window = tuple[date, date]
Discover = Callable[..., Discovery]


class RangeDiscovery:
    """A `Steps.discover` for a backfill's chunks: one discovery for the range, cut per chunk."""

    def __init__(self, windows: Sequence[Window], discover: Discover) -> None:
        self.windows = sorted(windows)
        self._discover = discover
        self._cut: dict[Window, list[Any]] = {}
        self._alone = False  # the range's discovery was incomplete: each chunk discovers alone
        self.failed: dict[str, str] = {}  # documents that could not be read, and why

    def __call__(
        self,
        fetcher: Fetcher,
        start: date,
        end: date,
        strategies: tuple[str, ...],
        cache: Mapping[str, Document],
        spans: Sequence[ListingSpan] = (),
    ) -> Discovery:
        window = (start, end)
        if window in self._cut and not self._alone:
            return Discovery(self._cut.pop(window), [], 0)
        known = {"failed_before": self.failed, "spans": spans}
        remaining = [w for w in self.windows if w >= window]
        whole = window in self.windows and len(remaining) > 1 and not self._alone
        last = remaining[-1][1] if whole else end
        try:
            found = self._discover(fetcher, start, last, strategies, cache, **known)
        except DiscoveryIncomplete as exc:
            for url, why in exc.failed.items():  # the first reason: no "earlier..." piling up
                self.failed.setdefault(url, why)
            if not whole:
                raise
            log.warning(
                "discovery of %s..%s incomplete (%s): each chunk discovers its own window",
                start, last, exc,
            )  # fmt: skip
            self._alone = True
            return self._discover(fetcher, start, end, strategies, cache, **known)
        if not whole:
            return found
        self._cut = split_by_window(found.refs, remaining)
        log.info(
            "discovered %s..%s once: %d candidates for %d chunks",
            start, last, len(found.refs), len(remaining),
        )  # fmt: skip
        return Discovery(self._cut.pop(window), found.documents, found.not_modified, found.spans)


@dataclass(frozen=True)
class BackfillScope:
    """What the chunk runs of one backfill share: the range's discovery and robots.txt.

    Built by the library backfill and by the backfill flow alike, and handed to each chunk."""

    steps: Any  # pipeline.run.Steps, with RangeDiscovery as its discover step
    robots: RobotsMemo

    @classmethod
    def for_chunks(cls, windows: Sequence[Window], steps: Any) -> BackfillScope:
        discover = RangeDiscovery(windows, steps.discover)
        return cls(replace(steps, discover=discover), RobotsMemo())
