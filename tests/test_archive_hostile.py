"""A hostile world for the archive sources (issue 15): archives that answer garbage, loop,
ignore Range, or cannot be reached. Each failure must be one clear `ArchiveUnavailable`
(which a run turns into one line, and `auto` skips), never a stray exception, a request
storm, or one article's text stored under another's URL.

Pacing runs on a virtual clock, so nothing here waits for the 1.5 s between CDX calls.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from lso_etl.cli.exits import ExitCode
from lso_etl.crawl.archives import commoncrawl, wayback
from lso_etl.crawl.archives.client import ArchiveClient, ArchiveUnavailable
from lso_etl.crawl.clock import VirtualClock
from lso_etl.errors import SiteUnreachable
from lso_etl.pipeline.sources import archive_pacing, with_source
from lso_etl.replay.archives.commoncrawl import CommonCrawlReplay, serve_commoncrawl
from lso_etl.replay.archives.loopback import Answer, LoopbackHost
from lso_etl.replay.model import Corpus
from lso_etl.settings import Settings

JULY = (date(2017, 7, 1), date(2017, 7, 31))
FIELDS = ["timestamp", "original", "mimetype", "statuscode", "digest"]
ROW = ["20170705000000", "https://baolangson.vn/thoi-su/123456-a.html", "text/html", "200", "X"]


def client_for(**settings: object) -> ArchiveClient:
    chosen = Settings(backoff=0.0, max_attempts=2, **settings)  # type: ignore[arg-type]
    clock = VirtualClock()
    return ArchiveClient(chosen, archive_pacing(chosen, clock, clock.sleep))


@pytest.fixture
def archive() -> Iterator[Callable[[Answer], LoopbackHost]]:
    """An archive host whose CDX (or any non-robots URL) answers with the given Answer."""
    hosts: list[LoopbackHost] = []

    def start(answer: Answer) -> LoopbackHost:
        def route(target: str, headers: dict[str, str]) -> Answer:
            if target == "/robots.txt":
                return Answer(404)
            if len(host.log) > 30:  # a runaway client: stop feeding it before the test hangs
                return Answer(200, {}, b"[]")
            return answer

        host = LoopbackHost(route, "hostile-archive").__enter__()
        hosts.append(host)
        return host

    yield start
    for host in hosts:
        host.__exit__(None, None, None)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"<html><body>Down for maintenance</body></html>", "not a CDX answer"),
        (json.dumps([FIELDS, ROW])[:-9].encode(), "not a CDX answer"),  # cut short
        (json.dumps([FIELDS, ROW[:3]]).encode(), "not a CDX answer"),  # a row short of fields
        (json.dumps([FIELDS, ["2017", *ROW[1:]]]).encode(), "not a CDX answer"),
        (b'{"error": "bad query"}', "not a CDX answer"),
        # The same resume key forever: each answer says "there is more, from here".
        (json.dumps([FIELDS, ROW, [], ["same-key"]]).encode(), "resume key 'same-key'"),
    ],
    ids=["html", "truncated", "short-row", "bad-timestamp", "an-object", "resume-key-loop"],
)
def test_a_wayback_cdx_answer_that_is_not_one_fails_in_one_clear_error(
    archive: Callable[[Answer], LoopbackHost], body: bytes, words: str
) -> None:
    host = archive(Answer(200, {"Content-Type": "application/json"}, body))
    with client_for() as client, pytest.raises(ArchiveUnavailable, match=words):
        wayback.find(client, host.base_url, *JULY, {})
    cdx_calls = [t for t in host.targets if t.startswith("/cdx/")]
    assert len(cdx_calls) <= 2  # a repeated resume key is caught on its second sight


@pytest.mark.parametrize(
    ("collinfo", "index", "words"),
    [
        (b"<html>Service Unavailable</html>", b"", "collinfo.json: not a list of crawls"),
        (b'{"message": "rate limited"}', b"", "collinfo.json: not a list of crawls"),
        (b'[{"id": "CC-MAIN-2017-31", "from": "2017-08-01T00:00:00"}]', b"", "no cdx-api"),
        (None, b'{"urlkey": "vn,baolangson)/a-5000001.html", "timestamp": "2017', "not a CDX"),
        (None, b'{"url": "https://baolangson.vn/a-5000001.html"}\n', "not a CDX answer"),
    ],
    ids=[
        "collinfo-html",
        "collinfo-object",
        "crawl-without-api",
        "index-line-cut",
        "index-field-missing",
    ],
)
def test_a_common_crawl_index_answer_that_is_not_one_fails_in_one_clear_error(
    corpus: Corpus, collinfo: bytes | None, index: bytes, words: str
) -> None:
    with serve_commoncrawl(corpus) as cc:
        real = cc.index._route

        def route(target: str, headers: dict[str, str]) -> Answer:
            if target == "/collinfo.json" and collinfo is not None:
                return Answer(200, {"Content-Type": "application/json"}, collinfo)
            if "-index?" in target:
                return Answer(200, {"Content-Type": "text/x-ndjson"}, index)
            return real(target, headers)

        cc.index._route = route
        with client_for() as client, pytest.raises(ArchiveUnavailable, match=words):
            commoncrawl.find(client, cc.index.base_url, cc.data.base_url, *JULY, {})


def _july_captures(cc: CommonCrawlReplay) -> list:
    with client_for() as client:
        found = commoncrawl.find(client, cc.index.base_url, cc.data.base_url, *JULY, {})
    return [c for candidate in found for c in candidate.captures if c.offset]


@pytest.mark.parametrize("fault", ["range-ignored", "wrong-bytes"])
def test_a_data_host_that_answers_other_bytes_never_hands_over_another_capture(
    corpus: Corpus, fault: str
) -> None:
    with serve_commoncrawl(corpus) as cc:
        captures = _july_captures(cc)
        assert captures  # most captures lie past the start of their WARC file
        real = cc.data._route

        def route(target: str, headers: dict[str, str]) -> Answer:
            wanted = headers.get("range", "")
            if not wanted:  # robots.txt
                return real(target, headers)
            if fault == "range-ignored":  # 200 and the whole file, as a plain file server does
                return real(target, {k: v for k, v in headers.items() if k != "range"})
            first, last = (int(n) for n in wanted.removeprefix("bytes=").split("-"))
            return real(target, {"range": f"bytes=0-{last - first}"})  # the file's first record

        with client_for() as client:
            cc.data._route = route
            for capture in captures[:3]:
                with pytest.raises(
                    ArchiveUnavailable, match="not of " + re.escape(capture.original)
                ):
                    commoncrawl.fetch_record(client, capture)
            cc.data._route = real  # the same captures read right when the host honours Range
            answer = commoncrawl.fetch_record(client, captures[0])
        assert answer.status == 200 and answer.content


def test_a_corrupt_gzip_member_is_one_clear_error(corpus: Corpus) -> None:
    with serve_commoncrawl(corpus) as cc:
        capture = _july_captures(cc)[0]
        real = cc.data._route

        def route(target: str, headers: dict[str, str]) -> Answer:
            answer = real(target, headers)
            damaged = bytearray(answer.body)
            damaged[len(damaged) // 2 : len(damaged) // 2 + 4] = b"\xff\x00\xff\x00"
            return replace(answer, body=bytes(damaged))

        cc.data._route = route
        with client_for() as client, pytest.raises(ArchiveUnavailable, match="unreadable WARC"):
            commoncrawl.fetch_record(client, capture)


# --- an archive that cannot be reached -------------------------------------------------------


def test_an_archive_whose_robots_txt_cannot_be_read_is_unreachable_asked_once(
    archive: Callable[[Answer], LoopbackHost],
) -> None:
    host = archive(Answer(200, {}, b"[]"))
    real = host._route
    host._route = lambda target, headers: (
        Answer(503) if target == "/robots.txt" else real(target, headers)
    )
    with client_for() as client:
        for _ in range(2):  # a second query of the run does not ask the dead host again
            with pytest.raises(SiteUnreachable, match=r"unreachable: robots\.txt: .*HTTP 503"):
                wayback.find(client, host.base_url, *JULY, {})
    assert host.targets == ["/robots.txt"] * 2  # max_attempts, then never again
    # Not "the archive's robots.txt disallows it": that would send the operator to robots.txt.


def test_a_dry_run_against_a_closed_archive_port_is_one_line_and_exit_6(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from lso_etl.cli import main as cli_main

    monkeypatch.setenv("LSO_WAYBACK_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("LSO_BACKOFF", "0")
    args = ["--db", str(db), "backfill", "--from", "2017-07-01", "--to", "2017-07-31"]
    monkeypatch.setattr(sys, "argv", ["lso-etl", *args, "--source", "wayback", "--dry-run"])
    with pytest.raises(SystemExit) as ended:
        cli_main.main()
    err = capsys.readouterr().err.strip().splitlines()
    assert ended.value.code == ExitCode.UNREACHABLE and not db.exists()
    assert len(err) == 1 and "http://127.0.0.1:9 unreachable: connection refused" in err[0]


def test_a_backfill_from_an_unreachable_archive_stops_and_records_nothing_as_finished(
    db: Path,
) -> None:
    from lso_etl.pipeline.run import BARE, backfill
    from lso_etl.pipeline.sources import with_source
    from lso_etl.pipeline.steps import finished_chunks

    settings = Settings(db=db, source="wayback", wayback_url="http://127.0.0.1:9", backoff=0.0)
    clock = VirtualClock()
    steps = with_source(settings, BARE, archive_pacing(settings, clock, clock.sleep))
    result = backfill(settings, date(2017, 7, 1), date(2017, 8, 31), steps=steps)
    assert result["chunks_failed"] == ["2017-07-01..2017-07-31"]
    assert result["chunks_not_run"] == ["2017-08-01..2017-08-31"]  # no second dead chunk
    assert result["failure"].startswith("http://127.0.0.1:9 unreachable: connection refused")
    assert finished_chunks(settings) == set()


@pytest.mark.parametrize("url", ["http://[::1", "http://127.0.0.1:abc", "http://127.0.0.1:99999"])
def test_an_archive_url_with_a_broken_host_or_port_is_refused_when_read(url: str) -> None:
    # These passed the check and failed later: a traceback from httpx, or an unnamed
    # "Invalid IPv6 URL", or a port no socket can have.
    with pytest.raises(ValueError, match=r"^LSO_WAYBACK_URL='.*' is not allowed"):
        Settings.from_env({"LSO_WAYBACK_URL": url})


def test_the_report_of_an_archive_run_names_its_source(corpus: Corpus, db: Path) -> None:
    from lso_etl.pipeline.report import to_markdown
    from lso_etl.pipeline.run import BARE, run_window
    from lso_etl.replay.archives.wayback import serve_wayback
    from lso_etl.site.discovery import DISCOVERY

    with serve_wayback(corpus) as host:
        settings = Settings(db=db, source="wayback", wayback_url=host.base_url)
        clock = VirtualClock()
        steps = with_source(settings, BARE, archive_pacing(settings, clock, clock.sleep))
        window = (date(2017, 7, 1), date(2017, 7, 3))
        summary = run_window("backfill-chunk", settings, window, DISCOVERY.backfill_strategies,
                             None, {}, steps)  # fmt: skip
    assert summary["counts"].get("loaded")  # the run read pages, from the Wayback Machine
    assert summary["source"] == "wayback"
    assert "- source: wayback" in to_markdown(summary).splitlines()


def test_a_damaged_common_crawl_record_is_not_fetched_again_by_every_rerun(
    corpus: Corpus, db: Path
) -> None:
    from lso_etl.pipeline.run import BARE, backfill

    with serve_commoncrawl(corpus) as cc:
        in_july = {a.path for a in corpus.articles if JULY[0] <= a.published_at.date() <= JULY[1]}
        damaged = next(c for c in _july_captures(cc) if urlsplit(c.original).path in in_july)
        real = cc.data._route

        def route(target: str, headers: dict[str, str]) -> Answer:
            answer = real(target, headers)
            if headers.get("range", "").startswith(f"bytes={damaged.offset}-"):
                body = bytearray(answer.body)
                body[len(body) // 2 : len(body) // 2 + 4] = b"\xff\x00\xff\x00"
                answer = replace(answer, body=bytes(body))
            return answer

        cc.data._route = route
        settings = Settings(db=db, source="commoncrawl", cc_index_url=cc.index.base_url,
                            cc_data_url=cc.data.base_url, backoff=0.0)  # fmt: skip

        def run() -> dict:
            clock = VirtualClock()
            steps = with_source(settings, BARE, archive_pacing(settings, clock, clock.sleep))
            return backfill(settings, *JULY, steps=steps)

        first = run()
        assert first["counts"].get("loaded") and not first["counts"].get("gave_up")
        asked = len(cc.data.targets)
        again = run()  # the damage is in the archive's file: asking again cannot mend it
        assert again["chunks_run"] == 0 and len(cc.data.targets) == asked


def test_auto_with_every_source_unreachable_records_nothing_as_finished(db: Path) -> None:
    from lso_etl.pipeline.run import BARE, backfill
    from lso_etl.pipeline.steps import finished_chunks

    closed = "http://127.0.0.1:9"
    settings = Settings(db=db, source="auto", base_url=closed, wayback_url=closed,
                        cc_index_url=closed, cc_data_url=closed, backoff=0.0)  # fmt: skip
    clock = VirtualClock()
    steps = with_source(settings, BARE, archive_pacing(settings, clock, clock.sleep))
    result = backfill(settings, *JULY, steps=steps)
    # It was recorded as finished with nothing loaded, while each source's line said "nothing
    # was recorded as finished": a rerun, the sources back, was a no-op.
    assert result["chunks_failed"] == ["2017-07-01..2017-07-31"]
    assert "unreachable" in result["failure"]
    assert finished_chunks(settings) == set()
