"""Safety and politeness of the archive sources (issue 15, found in review): a failing archive
host backed off and given up, playback redirects kept on the archive's host, credentials
never stored, and runs that say what they actually read.

Against the replay archives (real loopback servers); pacing on a virtual clock, so the tests
read the pacing decisions instead of waiting.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest

from lso_etl.crawl.clock import VirtualClock
from lso_etl.pipeline.run import BARE, backfill
from lso_etl.pipeline.sources import archive_pacing, with_source
from lso_etl.pipeline.steps import finished_chunks
from lso_etl.replay.archives.captures import ARTICLE_KINDS, wayback_plan
from lso_etl.replay.archives.loopback import Answer, LoopbackHost
from lso_etl.replay.archives.wayback import serve_wayback
from lso_etl.replay.model import Corpus
from lso_etl.settings import Settings

JULY = (date(2017, 7, 1), date(2017, 7, 31))


@pytest.fixture
def wayback(corpus: Corpus) -> Iterator[LoopbackHost]:
    with serve_wayback(corpus) as host:
        yield host


def wayback_backfill(db: Path, host: LoopbackHost, **options: object) -> dict:
    chosen: dict[str, object] = {"source": "wayback", **options}
    settings = Settings(db=db, wayback_url=host.base_url, **chosen)  # type: ignore[arg-type]
    clock = VirtualClock()
    pacing = archive_pacing(settings, clock, clock.sleep)
    result = backfill(settings, *JULY, steps=with_source(settings, BARE, pacing))
    result["pacing"], result["settings"] = pacing, settings
    return result


def stored(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def held_in_july(corpus: Corpus) -> set[str]:
    captured = {c.article_id for c in wayback_plan(corpus) if c.kind in ARTICLE_KINDS}
    return {a.article_id for a in corpus.articles
            if JULY[0] <= a.published_at.date() <= JULY[1] and a.article_id in captured}  # fmt: skip


def _unavailable(target: str, headers: dict[str, str]) -> Answer:
    return Answer(503, {"Content-Type": "text/plain"}, b"Service Unavailable")


def _hang_up(target: str, headers: dict[str, str]) -> Answer:
    raise ConnectionResetError("the archive closed the connection")  # no answer at all


@pytest.mark.parametrize("failure", [_unavailable, _hang_up], ids=["http-503", "connection-lost"])
def test_a_failing_archive_host_is_backed_off_then_given_up_and_nothing_is_finished(
    corpus: Corpus, wayback: LoopbackHost, db: Path, failure: object
) -> None:
    real = wayback._route
    wayback._route = lambda t, h: failure(t, h) if t.startswith("/web/") else real(t, h)  # type: ignore[operator]
    result = wayback_backfill(db, wayback)
    pacing, settings = result["pacing"], result["settings"]
    host = wayback.base_url.split("://")[1]
    # Each failure backs the whole host off, the wait doubling, and no request (of any lane)
    # reaches it while it is backing off.
    backoffs = [(at, until) for h, at, until in pacing.backoffs if h == host]
    assert [until - at for at, until in backoffs] == [2.0**n for n in range(7)]
    for at, until in backoffs:
        assert not [d for d in pacing.decisions if d.host == host and at < d.at < until]
    assert len(pacing.decisions) == len(wayback.targets)  # no request bypassed the pacing
    # Given up after two requests' tries, not every article's four: no storm.
    playbacks = [t for t in wayback.targets if t.startswith("/web/")]
    assert len(playbacks) == 2 * settings.max_attempts
    # Cleanly: one line says why, nothing is loaded, and nothing is recorded as finished.
    (why,) = result["stopped"]
    assert "\n" not in why and host in why and "8 times in a row" in why
    assert ("HTTP 503" if failure is _unavailable else "RemoteProtocolError") in why
    assert "loaded" not in result["counts"] and result["counts"].get("gave_up")
    assert finished_chunks(settings) == set()
    # The archive back: the rerun loads what it holds.
    wayback._route = real
    wayback_backfill(db, wayback)
    assert {row[0] for row in stored(db, "select article_id from articles")} == held_in_july(corpus)


def test_one_capture_the_archive_cannot_serve_costs_that_capture_only(
    corpus: Corpus, wayback: LoopbackHost, db: Path
) -> None:
    real = wayback._route
    mid_july = {a.article_id for a in corpus.articles
                if date(2017, 7, 10) <= a.published_at.date() <= date(2017, 7, 20)}  # fmt: skip
    earliest = {}
    for capture in sorted(wayback_plan(corpus), key=lambda c: c.timestamp):
        earliest.setdefault(capture.article_id, capture)
    first = next(c for c in earliest.values() if c.article_id in mid_july and c.kind == "article")
    broken = f"/web/{first.timestamp}id_/{first.original}"  # the capture a run reads first
    wayback._route = lambda t, h: _unavailable(t, h) if t == broken else real(t, h)
    result = wayback_backfill(db, wayback)
    assert result["stopped"] == []  # the host answers everything else: not given up
    assert wayback.targets.count(broken) == result["settings"].max_attempts
    assert result["counts"].get("loaded")


@pytest.mark.parametrize(
    "location",
    ["{elsewhere}{path}", "//{host_of_elsewhere}{path}", "file://{path}",
     "ftp://{host_of_wayback}{path}", "javascript:alert(1)"],
    ids=["other-host", "scheme-relative", "file", "ftp-same-host", "javascript"],
)  # fmt: skip
def test_a_playback_redirect_off_the_archive_is_refused_in_one_line_not_followed(
    wayback: LoopbackHost, db: Path, location: str
) -> None:
    page = Answer(200, {"Content-Type": "text/html"}, b"<html>not the archive</html>")
    with LoopbackHost(lambda target, headers: page, "elsewhere") as elsewhere:
        real = wayback._route

        def route(target: str, headers: dict[str, str]) -> Answer:
            if not target.startswith("/web/"):
                return real(target, headers)
            # The same capture's path (so the same article id), on another host or scheme.
            where = location.format(path=target, elsewhere=elsewhere.base_url,
                                    host_of_elsewhere=elsewhere.base_url.split("://")[1],
                                    host_of_wayback=wayback.base_url.split("://")[1])  # fmt: skip
            return Answer(302, {"Location": where, "Content-Type": "text/plain"})

        wayback._route = route
        result = wayback_backfill(db, wayback)
    assert elsewhere.targets == []  # not followed
    details = {row[0] for row in stored(db, "select detail from url_outcomes")}
    assert details and all("redirected off the archive" in d and "\n" not in d for d in details)
    assert "loaded" not in result["counts"]
    assert finished_chunks(result["settings"]) == set()  # a rerun asks again


def test_a_playback_redirect_to_a_nearer_capture_on_the_archive_is_followed(
    corpus: Corpus, wayback: LoopbackHost
) -> None:
    from lso_etl.crawl.archives import wayback as wayback_api
    from lso_etl.crawl.archives.client import ArchiveClient
    from lso_etl.models import Capture
    from lso_etl.site.urls import classify

    first = next(c for c in wayback_plan(corpus) if c.kind == "article")
    inexact = f"{int(first.timestamp) + 1}"  # one second off: the archive redirects to it
    capture = Capture("wayback", f"{wayback.base_url}/web/{inexact}id_/{first.original}",
                      first.when, first.original)  # fmt: skip
    settings = Settings(wayback_url=wayback.base_url)
    clock = VirtualClock()
    with ArchiveClient(settings, archive_pacing(settings, clock, clock.sleep)) as client:
        ident = classify(first.original)
        assert ident is not None
        answer = wayback_api.fetch_capture(client, capture, ident.article_id)
    assert answer is not None and answer.status == 200
    assert wayback.targets[-2:] == [f"/web/{inexact}id_/{first.original}",
                                    f"/web/{first.timestamp}id_/{first.original}"]  # fmt: skip


def test_credentials_in_a_capture_url_are_neither_stored_nor_logged(
    corpus: Corpus, db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from dataclasses import replace

    from warcio.archiveiterator import ArchiveIterator

    # The archive's index holds some July URLs as they were linked: with user:pass@.
    plan = tuple(
        replace(c, original=c.original.replace("://", "://reader:s3cret@", 1))
        if c.timestamp.startswith("201707") else c
        for c in wayback_plan(corpus)
    )  # fmt: skip
    assert sum("s3cret" in c.original for c in plan) > 10
    # INFO: the most any lso-etl command logs (httpx's request lines among it); httpcore's
    # DEBUG wire trace dumps raw headers and is never turned on by lso-etl.
    caplog.set_level("INFO")
    with serve_wayback(corpus, plan) as host:
        result = wayback_backfill(db, host)
        asked = host.targets
    assert {row[0] for row in stored(db, "select article_id from articles")} == held_in_july(corpus)
    assert any("s3cret" in t for t in asked)  # the archive was asked for those URLs
    for table, columns in (("articles", "url, capture_url"), ("article_versions", "capture_url"),
                           ("fetches", "url, capture_url, detail"),
                           ("url_outcomes", "url, detail")):  # fmt: skip
        for row in stored(db, f"select {columns} from {table}"):
            assert not any("s3cret" in str(v) or "reader:" in str(v) for v in row), (table, row)
    # The raw archive: every record's WARC and HTTP headers (the CDX answers' bodies are the
    # archive's index as it was served, kept as served).
    for warc in result["settings"].archive_dir.glob("*.warc.gz"):
        with warc.open("rb") as stream:
            for record in ArchiveIterator(stream):
                headers = [*record.rec_headers.headers]
                headers += record.http_headers.headers if record.http_headers else []
                assert not [h for h in headers if "s3cret" in h[1]], warc
    assert not [r.getMessage() for r in caplog.records if "s3cret" in r.getMessage()]


def test_credentials_in_an_archive_s_address_are_refused_without_echoing_them() -> None:
    with pytest.raises(ValueError, match="user:pass@ is not allowed") as refused:
        Settings.from_env({"LSO_WAYBACK_URL": "http://reader:s3cret@mirror.example"})
    assert "s3cret" not in str(refused.value) and "mirror.example" in str(refused.value)


def test_an_auto_run_records_what_it_read_and_counts_each_request_once(
    corpus: Corpus, wayback: LoopbackHost, db: Path
) -> None:
    from lso_etl.replay.archives.commoncrawl import serve_commoncrawl
    from lso_etl.replay.server import ReplaySite

    # The site's robots.txt forbids the old CMS's Thời sự pages: those come from the archives.
    with ReplaySite(corpus, extra_disallow=("/thoi-su/",)) as site, serve_commoncrawl(corpus) as cc:
        result = wayback_backfill(db, wayback, source="auto", base_url=site.base_url,
                                  min_delay=0.0, cc_index_url=cc.index.base_url,
                                  cc_data_url=cc.data.base_url)  # fmt: skip
        served = len(site.requests) + len(wayback.targets) + len(cc.index.targets) \
            + len(cc.data.targets)  # fmt: skip
        pages = {"site": [t for _, t in site.requests if t.endswith(".html")],
                 "wayback": [t for t in wayback.targets if t.startswith("/web/")],
                 "commoncrawl": [t for t in cc.data.targets if t.startswith("/crawl-data/")]}  # fmt: skip
    assert result["counts"].get("loaded") and not result["chunks_failed"]
    assert {"site", "wayback"} <= {
        row[0] for row in stored(db, "select fetched_from from articles")
    }
    # The article pages it asked each source for, as the servers saw them.
    expected = "+".join(source for source, asked in pages.items() if asked)
    assert stored(db, "select fetched_from, parameters->>'source' from runs") == [
        (expected, "auto")
    ]
    # Every request counted once: the site's and the archives' together.
    assert stored(db, "select requests from runs") == [(served,)]


def test_a_run_that_read_no_page_says_none(wayback: LoopbackHost, db: Path) -> None:
    from lso_etl.pipeline.run import run_window
    from lso_etl.site.discovery import DISCOVERY

    settings = Settings(db=db, source="wayback", wayback_url=wayback.base_url)
    clock = VirtualClock()
    steps = with_source(settings, BARE, archive_pacing(settings, clock, clock.sleep))
    window = (date(2009, 1, 1), date(2009, 1, 31))  # before any capture
    summary = run_window("backfill-chunk", settings, window, DISCOVERY.backfill_strategies,
                         None, {}, steps)  # fmt: skip
    assert summary["status"] == "completed" and not summary["counts"]
    assert stored(db, "select fetched_from from runs") == [("none",)]


def test_the_result_line_and_stats_name_the_source_and_captures_per_article(
    corpus: Corpus, wayback: LoopbackHost, db: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], prefect_harness: None,
) -> None:  # fmt: skip
    from typer.testing import CliRunner

    from flows.backfill import backfill as backfill_flow
    from lso_etl.cli.main import app
    from lso_etl.cli.runs import print_run

    monkeypatch.setenv("LSO_WAYBACK_URL", wayback.base_url)
    summary = backfill_flow(date(2017, 7, 1), date(2017, 7, 10), None, str(db), 0.0, 31, False,
                            "wayback")  # fmt: skip
    capsys.readouterr()
    print_run(summary)
    final = capsys.readouterr().out.strip().splitlines()[-1]
    loaded = summary["counts"]["loaded"]
    captures = len([t for t in wayback.targets if t.startswith("/web/")])  # as the host saw them
    assert final.startswith("backfill 2017-07-01..2017-07-10 from wayback: loaded")
    assert (
        f"{captures} captures for {loaded} articles loaded: {captures / loaded:.2f} per article"
        in final
    )
    # stats: the articles by where they were read, and each run's source.
    shown = CliRunner().invoke(app, ["--db", str(db), "stats"])
    assert shown.exit_code == 0 and f"read from wayback {loaded}" in shown.output
    report = CliRunner().invoke(app, ["--db", str(db), "stats", "--json"]).output
    assert {r["fetched_from"] for r in json.loads(report)["runs"]} == {"wayback"}


def test_reparse_rebuilds_common_crawl_records_offline(corpus: Corpus, db: Path) -> None:
    from lso_etl.pipeline.reparse import reparse
    from lso_etl.replay.archives.commoncrawl import serve_commoncrawl

    with serve_commoncrawl(corpus) as cc:
        settings = Settings(db=db, source="commoncrawl", cc_index_url=cc.index.base_url,
                            cc_data_url=cc.data.base_url)  # fmt: skip
        clock = VirtualClock()
        backfill(settings, *JULY, steps=with_source(settings, BARE,
                                                    archive_pacing(settings, clock, clock.sleep)))  # fmt: skip
    sql = "select article_id, content_hash, fetched_from, capture_url, capture_time from articles"
    before = sorted(stored(db, sql))
    assert before and {r[2] for r in before} == {"commoncrawl"}
    with duckdb.connect(str(db)) as con:
        con.execute("delete from article_authors; delete from article_search")
        con.execute("delete from article_versions; delete from articles")
    closed = "http://127.0.0.1:9"  # offline: any request would fail
    result = reparse(Settings(db=db, source="commoncrawl", cc_index_url=closed,
                              cc_data_url=closed), *JULY)  # fmt: skip
    assert result["counts"].get("loaded", 0) == len(before)
    assert sorted(stored(db, sql)) == before
