"""Pages that arrive but are refused (cut short by their own markup, or a CDN's challenge) count
towards layout drift: a site whose every page now fails the completeness check must raise the
alarm, not end a quiet `completed` run full of `gave_up` (hostile review F5)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lso_etl.pipeline.report import LayoutDrift
from lso_etl.pipeline.run import run_window
from lso_etl.replay.faults import Fault
from lso_etl.replay.model import Corpus
from lso_etl.replay.server import ReplaySite
from lso_etl.settings import Settings
from lso_etl.site.discovery import DISCOVERY

JUNE = (date(2017, 6, 1), date(2017, 6, 30))


@pytest.mark.parametrize("fault", ["short-length", "challenge"])
def test_a_run_whose_pages_are_all_refused_fails_as_drift(
    corpus: Corpus, tmp_path: Path, fault: Fault
) -> None:
    june = [a for a in corpus.articles if JUNE[0] <= a.published_at.date() <= JUNE[1]]
    faults: dict[str, list[Fault]] = {a.path: [fault] for a in june}
    with ReplaySite(corpus, faults=faults) as site:
        settings = Settings.from_env(
            {}, base_url=site.base_url, db=tmp_path / "lso.duckdb", min_delay=0.0, max_attempts=1
        )
        with pytest.raises(LayoutDrift, match="refused as cut short or a challenge") as raised:
            run_window("backfill-chunk", settings, JUNE, DISCOVERY.backfill_strategies, None, {})
    assert "100%" in str(raised.value) and len(june) >= 10


def test_an_ordinary_page_with_cloudflares_detection_script_is_not_a_challenge(
    corpus: Corpus,
) -> None:
    """Bot Fight Mode injects its detection script into every page; an article may even quote
    "cf-chl-". Neither is the challenge page, which the replay serves as a CDN does."""
    from lso_etl.crawl.completeness import is_challenge
    from lso_etl.replay.faults import CHALLENGE_PAGE

    markers = DISCOVERY.challenge_markers
    jsd = (
        b"<script>(function(){var s=document.createElement('script');"
        b"s.src='/cdn-cgi/challenge-platform/scripts/jsd/main.js';})();</script>"
    )
    with ReplaySite(corpus) as site:
        import httpx

        page = httpx.get(site.base_url + corpus.articles[3].path).content
    injected = page.replace(b"<head>", b"<head>" + jsd, 1)
    assert jsd in injected and not is_challenge(injected, markers)
    assert not is_challenge(b"<html><body><p>the cf-chl- cookie</p></body></html>", markers)
    assert is_challenge(CHALLENGE_PAGE, markers)


def test_a_page_of_article_size_is_never_a_challenge_whatever_its_title() -> None:
    from lso_etl.crawl.completeness import is_challenge

    page = b"<html><head><title>Just a moment: the ceremony begins</title></head><body>"
    assert is_challenge(page + b"</body></html>", DISCOVERY.challenge_markers)  # small: one
    padded = page + b"<p>" + "chữ ".encode() * 30_000 + b"</p></body></html>"  # ~150 KB
    assert not is_challenge(padded, DISCOVERY.challenge_markers)
