"""Every fault the replay site can inject, in a real crawl run on loopback: the faulted URL ends
in its honest outcome, and the run finishes with everything else loaded."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from lso_etl.crawl.discovery.discover import DiscoveryIncomplete
from lso_etl.errors import SiteUnreachable
from lso_etl.pipeline.run import run_window
from lso_etl.replay.faults import Fault
from lso_etl.replay.model import Corpus
from lso_etl.replay.server import ReplaySite
from lso_etl.settings import Settings

START, END = date(2017, 6, 1), date(2017, 6, 7)
STRATEGIES = ("sitemap",)


def fast_settings(base_url: str, db: Path, **overrides: object) -> Settings:
    """No pacing; timeouts short enough that the slow faults exceed them within a second."""
    values: dict[str, object] = dict(
        base_url=base_url, db=db, min_delay=0.0, backoff=0.01, max_attempts=3,
        read_timeout=0.5, total_timeout=1.0, max_retry_after=5.0, batch_size=4,
    )  # fmt: skip
    values.update(overrides)
    return Settings.from_env({}, **values)


def week(corpus: Corpus) -> list[str]:
    return [a.article_id for a in corpus.articles if START <= a.published_at.date() <= END]


def outcomes(db: Path) -> dict[str, tuple[str, str | None]]:
    """The frontier's last outcome (and detail) per article id."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("select article_id, last_outcome, last_detail from frontier").fetchall()
    return {article_id: (outcome, detail) for article_id, outcome, detail in rows}


# (faults queued for one article page, its outcome, a piece of the detail, requests it costs)
CASES: dict[str, tuple[list[Fault], str, str, int]] = {
    "500-burst": ([500, 500], "loaded", "new", 3),
    "503-burst-exhausts-retries": ([503, 503, 503], "gave_up", "HTTP 503 after retries", 3),
    "408-retried": ([408], "loaded", "new", 2),
    "429-retry-after": ([429], "loaded", "new", 2),
    "429-retry-after-as-date": (["429-date"], "loaded", "new", 2),
    "429-retry-after-over-cap": (["429-long"], "gave_up", "over the 5 s cap", 1),
    "404-final": ([404], "http_error", "HTTP 404", 1),
    "410-final": ([410], "http_error", "HTTP 410", 1),
    "slow-once": (["slow"], "loaded", "new", 2),
    "slow-always": (["slow"] * 3, "gave_up", "ReadTimeout", 3),
    "drip-beyond-total-timeout": (["drip"] * 3, "gave_up", "longer than 1 s", 3),
    "connection-reset": (["reset"], "loaded", "new", 2),
    "truncated-body": (["truncate"], "loaded", "new", 2),
    "truncated-always": (["truncate"] * 3, "gave_up", "RemoteProtocolError", 3),
    "short-content-length": (["short-length"], "loaded", "new", 2),
    "short-content-length-always": (["short-length"] * 3, "gave_up", "no closing </html>", 3),
    "gzip-stream-cut": (["gzip-cut"], "loaded", "new", 2),
    "gzip-stream-cut-always": (["gzip-cut"] * 3, "gave_up", "gzip stream ends early", 3),
    "redirect-loop": (["loop"], "http_error", "redirect loop", 2),
    "off-site-redirect": (["offsite"], "http_error", "another host", 1),
    "other-scheme-redirect": (["other-scheme"], "http_error", "from http to ftp refused", 1),
    "in-site-redirect": (["moved"], "loaded", "new", 2),
    "oversized-body": (["oversize"], "http_error", "over 5242880", 1),
    "oversized-unsized-body": (["oversize-unsized"], "http_error", "over 5242880", 1),
    "gzip-bomb": (["bomb"], "http_error", "inflated body is over the cap", 1),
    "100,000-nested-divs": (["nested"], "quarantined", "page too complex", 1),
    "missing-charset": (["nocharset"], "loaded", "new", 1),
    "wrong-charset": (["badcharset"], "quarantined", "decoding garbage", 1),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_faulted_page_ends_in_its_outcome_and_the_run_finishes(
    corpus: Corpus, tmp_path: Path, case: str
) -> None:
    faults, expected, detail, requests = CASES[case]
    target = next(a for a in corpus.articles if a.published_at.date() == date(2017, 6, 3))
    db = tmp_path / "lso.duckdb"
    with ReplaySite(corpus, faults={target.path: list(faults)}, slow_seconds=1.5) as site:
        summary = run_window(
            "backfill-chunk", fast_settings(site.base_url, db), (START, END), STRATEGIES, None, {}
        )
        spent = sum(1 for _, t in site.requests if t.split("?")[0] == target.path)
    assert summary["status"] == "completed"
    found = outcomes(db)
    assert set(found) == set(week(corpus))  # none missing
    outcome, why = found.pop(target.article_id)
    assert outcome == expected and detail in (why or ""), (outcome, why)
    assert {o for o, _ in found.values()} == {"loaded"}  # the others are untouched
    assert spent == requests


def test_a_gave_up_page_is_retried_by_the_next_run(corpus: Corpus, tmp_path: Path) -> None:
    target = next(a for a in corpus.articles if a.published_at.date() == date(2017, 6, 3))
    db = tmp_path / "lso.duckdb"
    with ReplaySite(corpus, faults={target.path: [503] * 3}) as site:
        settings = fast_settings(site.base_url, db)
        first = run_window("backfill-chunk", settings, (START, END), STRATEGIES, None, {})
        second = run_window("backfill-chunk", settings, (START, END), STRATEGIES, None, {})
        assert site.count(target.path) == 4  # three attempts, then one on the later run
    assert first["counts"]["gave_up"] == 1
    assert second["counts"] == {"loaded": 1, "skipped": len(week(corpus)) - 1}
    assert outcomes(db)[target.article_id][0] == "loaded"


def test_a_refused_scheme_redirect_is_not_requested_again_by_later_runs(
    corpus: Corpus, tmp_path: Path
) -> None:
    target = next(a for a in corpus.articles if a.published_at.date() == date(2017, 6, 3))
    db = tmp_path / "lso.duckdb"
    with ReplaySite(corpus, faults={target.path: ["other-scheme"] * 3}) as site:
        settings = fast_settings(site.base_url, db)
        first = run_window("backfill-chunk", settings, (START, END), STRATEGIES, None, {})
        second = run_window("backfill-chunk", settings, (START, END), STRATEGIES, None, {})
        assert site.count(target.path) == 1  # refused at once, and final
    assert first["counts"]["http_error"] == 1
    assert second["counts"] == {"skipped": len(week(corpus))}
    outcome, detail = outcomes(db)[target.article_id]
    assert outcome == "http_error" and "\n" not in (detail or "")


def test_robots_disallow_is_an_outcome_and_never_requested(corpus: Corpus, tmp_path: Path) -> None:
    target = next(a for a in corpus.articles if a.published_at.date() == date(2017, 6, 3))
    db = tmp_path / "lso.duckdb"
    with ReplaySite(corpus, extra_disallow=(target.path,)) as site:
        summary = run_window(
            "backfill-chunk", fast_settings(site.base_url, db), (START, END), STRATEGIES, None, {}
        )
        assert site.count(target.path) == 0
    assert summary["status"] == "completed"
    assert outcomes(db)[target.article_id][0] == "robots_disallowed"


def test_an_unreachable_robots_txt_disallows_everything_and_fails_the_run_for_a_rerun(
    corpus: Corpus, tmp_path: Path
) -> None:
    """Nothing is requested but robots.txt (RFC 9309), and the run fails: recorded as completed,
    the window's chunk would count as finished and a rerun of the range would skip it."""
    db = tmp_path / "lso.duckdb"
    with ReplaySite(corpus, faults={"/robots.txt": ["reset"] * 3}) as site:
        settings = fast_settings(site.base_url, db)
        with pytest.raises(SiteUnreachable) as raised:
            run_window("backfill-chunk", settings, (START, END), STRATEGIES, None, {})
        assert [t for _, t in site.requests] == ["/robots.txt"] * 3  # not even a sitemap
        # The site answered (a reset mid-response), so robots.txt had all its tries.
        assert str(raised.value).startswith(
            f"{raised.value.site} unreachable: robots.txt unreadable ("
        )
        assert str(raised.value).endswith(
            "after retries); nothing was recorded as finished; rerun later"
        )
        again = run_window("backfill-chunk", settings, (START, END), STRATEGIES, None, {})
    assert again["counts"] == {"loaded": len(week(corpus))}
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select status from runs order by started_at").fetchall() == [
            ("failed",),
            ("completed",),
        ]


@pytest.mark.parametrize(
    "fault", ["oversize", "loop", "offsite", 503, "short-length", "gzip-cut", "other-scheme"]
)
def test_a_discovery_document_that_cannot_be_read_fails_the_run_loudly(
    corpus: Corpus, tmp_path: Path, fault: Fault
) -> None:
    """A sitemap lost is a hole in the candidate list: the run fails (to be rerun), recorded."""
    db = tmp_path / "lso.duckdb"
    with (
        ReplaySite(corpus, faults={"/sitemaps/2017-06.xml": [fault] * 3}) as site,
        pytest.raises(DiscoveryIncomplete, match=r"2017-06\.xml"),
    ):
        settings = fast_settings(site.base_url, db)
        run_window("backfill-chunk", settings, (START, END), STRATEGIES, None, {})
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select status from runs").fetchall() == [("failed",)]
