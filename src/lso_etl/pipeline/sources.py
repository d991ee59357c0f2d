"""Which source a run reads (issue 15): the site, the Wayback Machine, Common Crawl, or `auto`.

A run's steps are the site's steps with three replaced: the Fetcher (an `ArchiveFetcher`),
discovery (the archives' indexes, narrowed by what the warehouse knows of ids and dates), and
fetch+parse (each candidate's captures tried in turn until one is the article). Everything
else, the plan, the load, the raw archive, the crawl state, is the site's, unchanged.

One `ArchiveSource` serves all the chunk runs of a backfill, so the pace of each archive
host (and a host's back-off after 429s) carries from one chunk to the next.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from lso_etl.crawl.archives import commoncrawl, wayback
from lso_etl.crawl.archives.candidates import SITE_TZ, Candidate
from lso_etl.crawl.archives.client import ArchiveUnavailable
from lso_etl.crawl.archives.fetcher import ArchiveFetcher
from lso_etl.crawl.archives.pacing import CDX_INTERVAL, FAILING_REQUESTS, HostStopped, Pacing
from lso_etl.crawl.discovery.discover import Discovery, discover_with_cache
from lso_etl.crawl.discovery.reader import DiscoveryIncomplete
from lso_etl.crawl.fetch import Fetcher
from lso_etl.errors import SiteUnreachable, UserError
from lso_etl.models import ArticleRef, CrawlItem, Document, ListingSpan
from lso_etl.pipeline.archives.picks import crawl_captures, first_article
from lso_etl.pipeline.archives.probe import narrow, site_day
from lso_etl.pipeline.archives.summary import archive_fields
from lso_etl.settings import Settings

log = logging.getLogger(__name__)

MAX_CAPTURES_TRIED = 3  # captures fetched per article before it is given up for this run


def archive_pacing(settings: Settings, clock: Any = None, sleep: Any = None) -> Pacing:
    """Each archive lane's floor: CDX calls 1.5 s apart (the Wayback Machine's documented
    limit is about 60 a minute), page reads at the site's own pace."""
    lanes = {"cdx": CDX_INTERVAL, "robots": settings.min_delay, "playback": settings.min_delay,
             "data": settings.min_delay}  # fmt: skip
    extra = {k: v for k, v in (("clock", clock), ("sleep", sleep)) if v is not None}
    return Pacing(lanes, settings.max_retry_after, backoff=settings.backoff,
                  max_failures=FAILING_REQUESTS * settings.max_attempts, **extra)  # fmt: skip


@dataclass
class ArchiveSource:
    """The archive side of a run (or of a backfill's chunk runs)."""

    settings: Settings
    pacing: Pacing
    covered: list[tuple[date, date]] = field(default_factory=list)  # ranges discovered
    why: dict[str, str] = field(default_factory=dict)  # article id -> why it was picked
    probed: dict[str, CrawlItem] = field(default_factory=dict)  # pages read while narrowing
    lags: dict[str, list[int]] = field(default_factory=dict)  # archive -> capture lags seen
    down: list[Exception] = field(default_factory=list)  # sources `auto` skipped this discovery
    _pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="archive-crawl")
    )

    def for_run(self, settings: Settings) -> Settings:
        return replace(settings, source=self.settings.source, capture=self.settings.capture)

    def open_fetcher(self, settings: Settings, lease: Any = None, **options: Any) -> Fetcher:
        fetcher = ArchiveFetcher(self.for_run(settings), self.pacing, **options)
        fetcher.context = lease
        return fetcher

    def discover(
        self,
        fetcher: Fetcher,
        start: date,
        end: date,
        strategies: tuple[str, ...],
        cache: Mapping[str, Document],
        failed_before: Mapping[str, str] | None = None,
        spans: Sequence[ListingSpan] = (),
    ) -> Discovery:
        """The range's candidates: from the archives, and for `auto` the site's where allowed
        (its listing walks start from `spans`, the pages' date spans earlier runs read)."""
        assert isinstance(fetcher, ArchiveFetcher)
        self.covered.append((start, end))
        self.down.clear()
        known = known_dates(fetcher.context)
        site = self._site_refs(fetcher, start, end, strategies, cache, failed_before, spans)
        from_site = {ref.article_id for ref in site.refs if fetcher.allowed(ref.url)}
        archived = self._archived(fetcher, start, end, known, from_site)
        if len(self.down) == 3:  # `auto`, and the site and both archives skipped
            # A chunk finished with nothing read would never be read again: fail it instead.
            if isinstance(self.down[0], SiteUnreachable):
                raise self.down[0]
            raise UserError(f"auto: no source could be read ({'; '.join(map(str, self.down))})")
        refs: dict[str, ArticleRef] = {}
        site_ids = {ref.article_id for ref in site.refs}
        for ref in site.refs:
            use_site = ref.article_id in from_site or ref.article_id not in archived
            refs[ref.article_id] = ref if use_site else archived[ref.article_id]
        for article_id, ref in archived.items():
            refs.setdefault(article_id, ref)
        ordered = [*site.refs, *(r for r in archived.values() if r.article_id not in site_ids)]
        ordered = [refs[r.article_id] for r in ordered]
        return Discovery(ordered, site.documents, site.not_modified, site.spans)

    def check_complete(self) -> None:
        """After loading: `auto` loaded what the sources it could read hold, but a source that
        was down may hold more, so the chunk fails (one line) and a rerun asks it again;
        the articles loaded now are not fetched a second time."""
        if self.down:
            names = "; ".join(map(str, self.down))
            raise UserError(
                f"auto: a source could not be read ({names}); what the others hold is loaded,"
                " and the range stays unfinished: rerun later to read that source too"
            )

    def _site_refs(
        self,
        fetcher: ArchiveFetcher,
        start: date,
        end: date,
        strategies: tuple[str, ...],
        cache: Mapping[str, Document],
        failed_before: Mapping[str, str] | None,
        spans: Sequence[ListingSpan],
    ) -> Discovery:
        if self.settings.source != "auto":
            return Discovery([], [], 0)
        try:
            Fetcher.check_reachable(fetcher)
            return discover_with_cache(fetcher, start, end, strategies, cache,
                                       failed_before=failed_before, spans=spans)  # fmt: skip
        except (SiteUnreachable, DiscoveryIncomplete) as exc:
            log.warning("the site cannot be read (%s): the archives only", exc)
            self.down.append(exc)
            return Discovery([], [], 0)

    def _archived(
        self,
        fetcher: ArchiveFetcher,
        start: date,
        end: date,
        known: Mapping[str, date],
        from_site: set[str],
    ) -> dict[str, ArticleRef]:
        """Candidates from each archive the source names, the Wayback Machine first; none
        for an article the site lets us read (`from_site`) or an earlier archive holds."""
        archives = self.settings.archives
        latest = self.settings.capture == "latest"
        found: dict[str, ArticleRef] = {}
        for name in archives:
            try:
                candidates = self._find(fetcher, name, start, end, known, latest)
            except (HostStopped, ArchiveUnavailable, SiteUnreachable) as exc:
                if isinstance(exc, SiteUnreachable) and self.settings.source != "auto":
                    raise  # as a dead site: no chunk retry, the backfill stops, exit 6
                if self.settings.source != "auto":
                    raise UserError(f"{name}: {exc}") from None
                log.warning("%s cannot be read (%s): the other sources only", name, exc)
                self.down.append(exc)
                continue
            candidates = [c for c in candidates if c.article_id not in from_site | found.keys()]
            probe = self._probe(fetcher, name, start, end)
            candidates = narrow(candidates, start, end, probe, self.lags.setdefault(name, []))
            for candidate in candidates:
                self.why.setdefault(candidate.article_id, f"{name}: {candidate.why}")
                found[candidate.article_id] = _ref(candidate, name, start, end)
        return found

    def _find(
        self, fetcher: ArchiveFetcher, name: str, start: date, end: date,
        known: Mapping[str, date], latest: bool,
    ) -> list[Candidate]:  # fmt: skip
        settings, client = self.settings, fetcher.archives
        if name == "wayback":
            return wayback.find(client, settings.wayback_url.rstrip("/"), start, end, known, latest)
        return commoncrawl.find(client, settings.cc_index_url.rstrip("/"),
                                settings.cc_data_url.rstrip("/"), start, end, known, latest)  # fmt: skip

    def _probe(
        self, fetcher: ArchiveFetcher, name: str, start: date, end: date
    ) -> Callable[[Candidate], date | None]:
        """Read a candidate's page now (kept for its crawl) and tell its publication day."""

        def probe(candidate: Candidate) -> date | None:
            if candidate.article_id not in self.probed:
                ref = _ref(candidate, name, start, end)
                self.probed[candidate.article_id] = first_article(fetcher, ref, MAX_CAPTURES_TRIED)
            parsed = self.probed[candidate.article_id].parsed
            return site_day(parsed.article.published_at) if parsed and parsed.article else None

        return probe

    def in_range(self, published: date | None) -> bool:
        return published is None or any(a <= published <= b for a, b in self.covered)

    def crawl(self, fetcher: Fetcher, jobs: Sequence[Any]) -> list[CrawlItem]:
        assert isinstance(fetcher, ArchiveFetcher)
        return crawl_captures(fetcher, jobs, MAX_CAPTURES_TRIED, self.in_range, self.probed)

    def submit_crawl(self, fetcher: Fetcher, jobs: Sequence[Any]) -> Future[list[CrawlItem]]:
        return self._pool.submit(self.crawl, fetcher, jobs)

    def summary(self, fetcher: Fetcher) -> dict[str, Any]:
        """What a run's summary says of the archives it read (`archives.summary`)."""
        assert isinstance(fetcher, ArchiveFetcher)
        return archive_fields(fetcher)

    def steps(self, steps: Any) -> Any:
        return replace(steps, discover=self.discover, submit_crawl=self.submit_crawl,
                       open_fetcher=self.open_fetcher, source=self)  # fmt: skip


def _ref(candidate: Candidate, name: str, start: date, end: date) -> ArticleRef:
    """A candidate as discovery hands it on: dated by its publication bound, kept in range
    (a backfill cuts its candidates into chunks by that date)."""
    bound = candidate.published_by.astimezone(SITE_TZ).date()
    seen = min(max(bound, start), end)
    return ArticleRef(candidate.url, candidate.article_id, seen, f"{name}:cdx", candidate.captures)


def known_dates(lease: Any) -> dict[str, date]:
    """Article id -> publication day (site time) of every stored article: what narrows the
    archives' candidates to an id window."""
    if lease is None:
        return {}
    from lso_etl.store.crawl_state.archive_known import stored_dates

    with lease.connection() as con:
        return stored_dates(con)


def chunk_parameters(settings: Settings, first: date, last: date) -> dict[str, Any]:
    """A backfill chunk run's parameters: its window, and its source when not the site (a
    chunk the site finished is not finished for an archive, see `steps.finished_chunks`)."""
    if settings.source == "site":
        return {"start": first, "end": last}
    return {"start": first, "end": last, "source": settings.source}


def with_choices(settings: Settings, source: str | None, capture: str | None) -> Settings:
    """Settings with a run's `--source`/`--capture` (or flow parameters) applied, checked."""
    try:
        return replace(
            settings, source=source or settings.source, capture=capture or settings.capture
        )
    except ValueError as exc:
        raise UserError(
            str(exc).replace("LSO_SOURCE", "--source").replace("LSO_CAPTURE", "--capture")
        ) from None


def with_source(settings: Settings, steps: Any, pacing: Pacing | None = None) -> Any:
    """`steps` reading the source `settings` name (the site's steps unchanged for `site`)."""
    if settings.source == "site" or getattr(steps, "source", None) is not None:
        return steps
    return ArchiveSource(settings, pacing or archive_pacing(settings)).steps(steps)
