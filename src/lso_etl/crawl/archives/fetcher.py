"""The run's Fetcher when a run reads web archives: a capture in, the page as the site sent it out.

A subclass of the site's `Fetcher`, so the pipeline runs unchanged: a ref that carries
captures is read from its archive (the archived headers unwrapped from `X-Archive-Orig-*`),
any other ref from the site as before (`--source auto`). The archive's answer is kept in the
run's WARC file under the article's original URL, the capture named in its headers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from types import TracebackType
from typing import Any

from lso_etl.crawl.archives import commoncrawl, wayback
from lso_etl.crawl.archives.client import ArchiveClient, ArchiveUnavailable, DamagedCapture
from lso_etl.crawl.archives.pacing import HostStopped, Pacing
from lso_etl.crawl.archives.provenance import warc_headers
from lso_etl.crawl.fetch import Fetcher, Recorder
from lso_etl.crawl.robots import RobotsMemo
from lso_etl.crawl.transfer import Exchange
from lso_etl.errors import SiteUnreachable
from lso_etl.models import ArticleRef, Capture, FetchResult, Outcome, RawPage
from lso_etl.settings import Settings

ORIGINAL_PREFIX = "x-archive-orig-"
READ_ORDER = ("site", "wayback", "commoncrawl")  # the order `fetched_from` names a mix in


class ArchiveFetcher(Fetcher):
    """Reads captures from the archives and, for `auto`, pages the site's robots.txt allows."""

    def __init__(
        self,
        settings: Settings,
        pacing: Pacing,
        sleep: Callable[[float], None] | None = None,
        recorder: Recorder | None = None,
        robots_memo: RobotsMemo | None = None,
    ) -> None:
        if sleep is None:
            super().__init__(settings, recorder=recorder, robots_memo=robots_memo)
        else:
            super().__init__(settings, sleep=sleep, recorder=recorder, robots_memo=robots_memo)
        self.archives = ArchiveClient(settings, pacing)
        self.context: Any = None  # what the pipeline hands its archive discovery (the lease)
        self.read_from: set[str] = set()  # where article pages were read: site, an archive

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.archives.client.close()
        super().__exit__(kind, exc, tb)

    @property
    def uses_site(self) -> bool:
        return self.settings.source in ("site", "auto")

    def check_reachable(self) -> None:
        """Only a run that needs the site needs it: `auto` reads the archives when it is down."""
        if self.settings.source == "site":
            super().check_reachable()

    @property
    def delay(self) -> float:
        return max(super().delay, self.archives.pacing.intervals.get("playback", 0.0))

    @property
    def archive_requests(self) -> dict[str, int]:
        return dict(self.archives.requests)

    # A run's `requests` and `bytes_fetched` count the archives' requests with the site's. The
    # site's Fetcher counts with `requests_made += 1`, which sets the sum plus one: the
    # archives' part is taken back out, or each site request would count them all again
    # (an `auto` July: 1833 requests recorded for 98 made).
    @property
    def requests_made(self) -> int:
        return self._site_requests + self._archives_part("requests_made")

    @requests_made.setter
    def requests_made(self, value: int) -> None:
        self._site_requests = value - self._archives_part("requests_made")

    @property
    def bytes_fetched(self) -> int:
        return self._site_bytes + self._archives_part("bytes_fetched")

    @bytes_fetched.setter
    def bytes_fetched(self, value: int) -> None:
        self._site_bytes = value - self._archives_part("bytes_fetched")

    def _archives_part(self, name: str) -> int:
        archives = getattr(self, "archives", None)  # None while the site's __init__ runs
        return int(getattr(archives, name)) if archives is not None else 0

    @property
    def captures_fetched(self) -> int:
        """Requests for captures (Wayback playbacks, Common Crawl byte ranges), redirects to a
        nearer capture included: what `bench/archives.py` counts per article loaded."""
        lanes = self.archives.by_lane
        return lanes.get("playback", 0) + lanes.get("data", 0)

    @property
    def fetched_from(self) -> str:
        """What the run read its article pages from, as `runs.fetched_from` says it: one of
        site, wayback, commoncrawl; several joined by '+' in that order (`auto`:
        'site+wayback'); 'none' when it read none (all from the raw archive, or nothing to do)."""
        read = [source for source in READ_ORDER if source in self.read_from]
        return "+".join(read) or "none"

    def fetch(self, ref: ArticleRef, validators: dict[str, str] | None = None) -> FetchResult:
        if ref.captures:
            return self.fetch_capture(ref, ref.captures[0])
        before = self._site_requests
        result = super().fetch(ref, validators)
        if self._site_requests > before:
            self.read_from.add("site")
        return result

    def fetch_capture(self, ref: ArticleRef, capture: Capture) -> FetchResult:
        """One capture of `ref`'s article; every failure an outcome, never an exception."""
        before = self.archives.requests_made
        try:
            if capture.source == "wayback":
                answer = wayback.fetch_capture(self.archives, capture, ref.article_id)
            else:
                answer = commoncrawl.fetch_record(self.archives, capture)
        except HostStopped as exc:
            return FetchResult(ref, outcome=Outcome.GAVE_UP, detail=str(exc))
        except DamagedCapture as exc:  # for good: the next capture, and no retry next run
            return self._spent(ref, before, Outcome.HTTP_ERROR, str(exc))
        except ArchiveUnavailable as exc:
            return self._spent(ref, before, Outcome.GAVE_UP, str(exc))
        except SiteUnreachable as exc:  # the data host's robots.txt: asked once, then refused
            return self._spent(ref, before, Outcome.GAVE_UP, exc.short)
        self.read_from.add(capture.source)
        if answer is None:
            return self._spent(ref, before, Outcome.NOT_ARTICLE, "archived redirect elsewhere")
        if answer.status != 200:
            return self._spent(ref, before, Outcome.HTTP_ERROR, f"HTTP {answer.status} (archive)")
        kept = self._keep(capture, answer)
        page = RawPage(capture.original, capture.original, 200, kept.header_dict, kept.content,
                       kept.started_at, capture)  # fmt: skip
        return FetchResult(ref, page=page, requests=self.archives.requests_made - before)

    def _keep(self, capture: Capture, answer: Exchange) -> Exchange:
        """The archived response as the site sent it, archived under the original URL."""
        original = tuple(
            (name[len(ORIGINAL_PREFIX) :], value)
            for name, value in answer.headers
            if name.lower().startswith(ORIGINAL_PREFIX)
        ) or tuple((n, v) for n, v in answer.headers if n.lower() == "content-type")
        kept = replace(answer, url=capture.original, status=200, reason="OK", headers=original,
                       warc_headers=warc_headers(capture))  # fmt: skip
        if self.recorder is not None:
            self.recorder.response(capture.original, kept)
        return kept

    def _spent(self, ref: ArticleRef, before: int, outcome: Outcome, detail: str) -> FetchResult:
        return FetchResult(ref, outcome=outcome, detail=detail,
                           requests=self.archives.requests_made - before)  # fmt: skip
