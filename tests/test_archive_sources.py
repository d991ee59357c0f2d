"""Backfills from the replay web archives (issue 15): the range's articles, politely, with provenance.

The archives' pacing runs on a virtual clock (sleeping moves it forward at once): the tests
read the pacing decisions instead of waiting 1.5 s per CDX call.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from itertools import pairwise
from pathlib import Path

import duckdb
import pytest

from lso_etl.crawl.clock import VirtualClock
from lso_etl.models import Capture
from lso_etl.pipeline.reparse import reparse
from lso_etl.pipeline.run import BARE, backfill
from lso_etl.pipeline.sources import archive_pacing, with_source
from lso_etl.replay.archives.captures import ARTICLE_KINDS, commoncrawl_plan, wayback_plan
from lso_etl.replay.archives.commoncrawl import serve_commoncrawl
from lso_etl.replay.archives.loopback import LoopbackHost, Throttle
from lso_etl.replay.archives.wayback import serve_wayback
from lso_etl.replay.model import Corpus
from lso_etl.settings import Settings

JULY = (date(2017, 7, 1), date(2017, 7, 31))


@pytest.fixture
def wayback(corpus: Corpus) -> Iterator[LoopbackHost]:
    with serve_wayback(corpus) as host:
        yield host


def held(corpus: Corpus, start: date, end: date) -> set[str]:
    """What the replay Wayback Machine holds of the range, read from its capture plan."""
    captured = {c.article_id for c in wayback_plan(corpus) if c.kind in ARTICLE_KINDS}
    return {
        a.article_id
        for a in corpus.articles
        if start <= a.published_at.date() <= end and a.article_id in captured
    }


def run(db: Path, wayback: LoopbackHost, clock: VirtualClock, **options: object) -> dict:
    chosen: dict[str, object] = {"source": "wayback", **options}
    settings = Settings(db=db, wayback_url=wayback.base_url, **chosen)  # type: ignore[arg-type]
    pacing = archive_pacing(settings, clock, clock.sleep)
    result = backfill(settings, *JULY, steps=with_source(settings, BARE, pacing))
    result["pacing"] = pacing
    return result


def stored(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_a_month_from_the_wayback_machine_loads_what_it_holds_politely(
    corpus: Corpus, wayback: LoopbackHost, db: Path
) -> None:
    clock = VirtualClock()
    result = run(db, wayback, clock)
    loaded = {row[0] for row in stored(db, "select article_id from articles")}
    assert loaded == held(corpus, *JULY)  # every article the archive holds, none outside
    playbacks = [t for t in wayback.targets if t.startswith("/web/")]
    assert len(playbacks) <= 1.2 * len(loaded)
    # Provenance on every record and on the run.
    rows = stored(db, "select fetched_from, capture_time, capture_url from articles")
    assert {r[0] for r in rows} == {"wayback"}
    assert all(r[1] is not None and "/web/" in r[2] and "id_/" in r[2] for r in rows)
    assert {r[0] for r in stored(db, "select fetched_from from runs")} == {"wayback"}
    assert {r[0] for r in stored(db, "select fetched_from from article_versions")} == {"wayback"}
    # CDX calls at least 1.5 s apart at default settings, every request through the pacing.
    pacing = result["pacing"]
    cdx = [d.at for d in pacing.decisions if d.lane == "cdx"]
    assert len(cdx) >= 2 and min(b - a for a, b in pairwise(cdx)) >= 1.5
    assert len(pacing.decisions) == len(wayback.targets)
    # A rerun of the range is a no-op: no request, nothing written.
    before = len(wayback.targets)
    again = run(db, wayback, clock)
    assert again["chunks_run"] == 0 and len(wayback.targets) == before


def test_the_earliest_good_capture_is_read_and_latest_on_request(
    corpus: Corpus, wayback: LoopbackHost, tmp_path: Path
) -> None:
    plan = [c for c in wayback_plan(corpus) if c.kind in ARTICLE_KINDS]
    edited = {c.article_id for c in plan if c.kind == "edited"}
    run(tmp_path / "early.duckdb", wayback, VirtualClock())
    run(tmp_path / "late.duckdb", wayback, VirtualClock(), capture="latest")
    sql = "select article_id, body from articles"
    early = dict(stored(tmp_path / "early.duckdb", sql))
    late = dict(stored(tmp_path / "late.duckdb", sql))
    in_july = edited & set(early)
    assert in_july  # the plan edits some July stories between captures
    assert all("cập nhật thêm" not in early[i] and "cập nhật thêm" in late[i] for i in in_july)


def test_a_429_storm_waits_then_stops_cleanly_without_a_request_while_backing_off(
    wayback: LoopbackHost, db: Path
) -> None:
    # The playback answers 429 three times: Retry-After 30, then none (a minute), then the
    # host is given up for the run. CDX answers normally.
    wayback.throttle([Throttle("30"), Throttle(None), Throttle(None)], prefix="/web/")
    clock = VirtualClock()
    result = run(db, wayback, clock)
    pacing = result["pacing"]
    host = wayback.base_url.split("://")[1]
    waits = [(until - at) for h, at, until in pacing.backoffs if h == host]
    assert waits == [30.0, 60.0]
    for _, at, until in pacing.backoffs:
        assert not [d for d in pacing.decisions if d.host == host and at < d.at < until]
    assert len(pacing.decisions) == len(wayback.targets)  # no request bypassed the pacing
    assert pacing.stopped(host)
    requests_when_stopped = len(wayback.targets)
    counts = result["counts"]
    assert counts.get("gave_up", 0) > 0 and "loaded" not in counts
    # Stopped cleanly: the chunk is not finished, and a later run (the storm over) loads it.
    assert requests_when_stopped == len(wayback.targets)
    later = run(db, wayback, VirtualClock())
    assert later["chunks_run"] == 1 and later["counts"].get("loaded", 0) > 0


def test_reparse_rebuilds_archive_records_offline(
    corpus: Corpus, wayback: LoopbackHost, db: Path
) -> None:
    run(db, wayback, VirtualClock())
    before = stored(db, "select article_id, content_hash, capture_url from articles order by 1")
    with duckdb.connect(str(db)) as con:
        con.execute("delete from article_authors; delete from article_search")
        con.execute("delete from article_versions; delete from articles")
    served = len(wayback.targets)
    result = reparse(Settings(db=db, source="wayback", wayback_url="http://127.0.0.1:9"), *JULY)
    assert len(wayback.targets) == served  # offline: the archive is not asked
    assert result["counts"].get("loaded", 0) == len(before)
    after = stored(db, "select article_id, content_hash, capture_url from articles order by 1")
    assert after == before


def test_a_capture_keeps_its_provenance_in_the_raw_archive(wayback: LoopbackHost, db: Path) -> None:
    from lso_etl.crawl import archive

    run(db, wayback, VirtualClock())
    warc, offset, url = stored(
        db, "select warc_file, warc_offset, url from archive_records where kind = 'article' limit 1"
    )[0]
    page = archive.read_page(Settings(db=db).archive_dir, warc, offset)
    assert isinstance(page.capture, Capture) and page.capture.source == "wayback"
    assert page.url == url and "/web/" not in url  # kept under the original URL
    assert page.capture.url.endswith("id_/" + url)


def common_crawl_backfill(corpus: Corpus, db: Path, start: date, end: date) -> tuple[set, dict]:
    """A backfill from the replay Common Crawl into `db`: what the archive holds of the range
    (read from its capture plan), and the run's outcome with the requests each host saw."""
    good = {c.article_id for c in commoncrawl_plan(corpus) if c.kind in ARTICLE_KINDS}
    expected = {a.article_id for a in corpus.articles if start <= a.published_at.date() <= end}
    with serve_commoncrawl(corpus) as cc:
        settings = Settings(db=db, source="commoncrawl", cc_index_url=cc.index.base_url,
                            cc_data_url=cc.data.base_url)  # fmt: skip
        clock = VirtualClock()
        pacing = archive_pacing(settings, clock, clock.sleep)
        result = backfill(settings, start, end, steps=with_source(settings, BARE, pacing))
        result["index"], result["data"] = list(cc.index.targets), list(cc.data.targets)
        result["crawls"] = len(json.loads(cc.index.answer("/collinfo.json", {}).body))
    return expected & good, result


def test_a_month_from_common_crawl_loads_what_it_holds_reading_only_crawls_that_can_hold_it(
    corpus: Corpus, db: Path
) -> None:
    expected, result = common_crawl_backfill(corpus, db, *JULY)
    loaded = {row[0] for row in stored(db, "select article_id from articles")}
    assert loaded == expected
    assert {r[0] for r in stored(db, "select fetched_from from articles")} == {"commoncrawl"}
    indexes = [t for t in result["index"] if "-index?" in t]
    assert len(indexes) < result["crawls"] / 2  # only the crawls that can hold July, one before
    # Its robots.txt first, then byte ranges of WARC files.
    assert result["data"][0] == "/robots.txt"
    assert all(t.startswith("/crawl-data/") for t in result["data"][1:])
    # Beyond the month's own captures (its articles, and its captures that are not articles,
    # which only reading tells), only the probes that find where the month starts and ends
    # are spent, none read twice: one past each edge of each id generation (2 x 2), and a
    # first probe before the archive's capture lag is known.
    outside = len(result["data"]) - 1 - len(loaded) - result["counts"].get("not_article", 0)
    assert outside <= 2 * 2 + 1


def test_two_months_from_common_crawl_fetch_at_most_1_2_captures_per_article(
    corpus: Corpus, db: Path
) -> None:
    # An empty warehouse: nothing known of ids and dates, the edges found by probing alone.
    expected, result = common_crawl_backfill(corpus, db, date(2017, 7, 1), date(2017, 8, 31))
    loaded = {row[0] for row in stored(db, "select article_id from articles")}
    assert loaded == expected
    captures = [t for t in result["data"] if t.startswith("/crawl-data/")]
    assert len(captures) <= 1.2 * len(loaded)


def test_the_range_is_found_by_probing_outward_from_what_the_bounds_prove() -> None:
    from datetime import UTC, datetime, timedelta

    from lso_etl.crawl.archives.candidates import Candidate
    from lso_etl.pipeline.archives.probe import narrow

    # 40 articles, one a day from 10 June; captured 1 to 30 days late (loose bounds).
    days = [date(2017, 6, 10) + timedelta(days=i) for i in range(40)]
    candidates = [
        Candidate(f"new:{5000000 + i}", "u", (),
                  datetime.combine(day, datetime.min.time(), UTC) + timedelta(days=1 + i % 30), "")
        for i, day in enumerate(days)
    ]  # fmt: skip
    probed: list[str] = []

    def probe(candidate: Candidate) -> date:
        probed.append(candidate.article_id)
        return days[int(candidate.article_id.split(":")[1]) - 5000000]

    kept = narrow(candidates, *JULY, probe)
    assert [days[int(c.article_id[4:]) - 5000000] for c in kept] == days[21:]  # 1..19 July
    wasted = {p for p in probed if not JULY[0] <= days[int(p[4:]) - 5000000] <= JULY[1]}
    assert len(wasted) <= 2 * 6  # about log2(40) each side, never a scan of all


@pytest.mark.parametrize("seed", range(6))
def test_the_range_found_by_probing_is_exact_whatever_the_lag_gaps_and_blank_pages(
    seed: int,
) -> None:
    import random
    from datetime import UTC, datetime, timedelta

    from lso_etl.crawl.archives.candidates import Candidate
    from lso_etl.pipeline.archives.probe import narrow

    rng = random.Random(seed)
    lag = rng.choice((2, 20, 45))  # days from publication to capture: Wayback-like to CC-like
    days, number, day = {}, 5000000, date(2017, 5, 1)
    while day < date(2017, 10, 1):
        number += rng.randint(1, 400)
        day += timedelta(days=rng.choice((0, 0, 1, 1, 2, 5)))
        days[f"new:{number}"] = None if rng.random() < 0.08 else day  # None: not an article
    candidates = [
        Candidate(i, "u", (), datetime.combine(d or date(2017, 10, 1), datetime.min.time(), UTC)
                  + timedelta(days=rng.randint(1, lag)), "")
        for i, d in days.items()
    ]  # fmt: skip
    start = date(2017, 5, 1) + timedelta(days=rng.randint(0, 140))
    end = start + timedelta(days=rng.choice((0, 6, 30, 61)))
    probed: list[str] = []

    def probe(candidate: Candidate) -> date | None:
        probed.append(candidate.article_id)
        return days[candidate.article_id]

    kept = {c.article_id for c in narrow(candidates, start, end, probe)}
    in_range = {i for i, d in days.items() if d is not None and start <= d <= end}
    outside = {i for i, d in days.items() if d is not None and not start <= d <= end}
    assert in_range <= kept and not kept & outside  # blank pages between the edges may stay
    assert len(probed) == len(set(probed))  # no page read twice


def test_a_partial_record_from_the_site_is_completed_by_a_later_archive_run(
    corpus: Corpus, wayback: LoopbackHost, db: Path
) -> None:
    from lso_etl.replay.server import ReplaySite

    # The site's robots.txt forbids the old CMS's Thời sự pages; its sitemaps still list them.
    with ReplaySite(corpus, extra_disallow=("/thoi-su/",)) as site:
        origin = site.base_url
        backfill(Settings(db=db, base_url=origin, min_delay=0.0), *JULY)
    partial = stored(db, "select article_id, url, status, body, published_at from articles"
                         " where layout = 'partial'")  # fmt: skip
    assert partial and all(
        r[2] == "partial" and r[3] == "" and "/thoi-su/" in r[1] for r in partial
    )
    assert all(r[4] is not None for r in partial)  # the date the sitemap gave
    layouts = dict(stored(db, "select value, records from data_quality where measure = 'layout'"
                              " and value = 'partial'"))  # fmt: skip
    assert layouts.get("partial")
    with duckdb.connect(str(db), read_only=True) as con:
        from lso_etl.store.analyst.stats import gather

        assert gather(con)["overview"]["partial"] == len(partial)
    # The Wayback Machine holds most of them: a Wayback run of the same month completes those.
    held_ids = held(corpus, *JULY)
    run(db, wayback, VirtualClock(), base_url=origin)  # the same warehouse: the same origin
    after = dict(stored(db, "select article_id, status from articles"))
    for article_id, *_ in partial:
        assert after[article_id] == ("complete" if article_id in held_ids else "partial")
    completed = [r[0] for r in partial if r[0] in held_ids]
    assert completed
    versions = stored(db, "select version, fetched_from from article_versions where article_id"
                          f" = '{completed[0]}' order by version")  # fmt: skip
    assert versions == [(1, "site"), (2, "wayback")]


def test_auto_reads_the_site_where_robots_allows_and_the_wayback_machine_elsewhere(
    corpus: Corpus, wayback: LoopbackHost, db: Path
) -> None:
    from lso_etl.replay.server import ReplaySite

    with ReplaySite(corpus, extra_disallow=("/thoi-su/",)) as site:
        # Common Crawl points at a closed port: `auto` goes on with the other sources, and
        # leaves the range unfinished so that a rerun asks Common Crawl again.
        result = run(db, wayback, VirtualClock(), source="auto", base_url=site.base_url,
                     min_delay=0.0, cc_index_url="http://127.0.0.1:9", max_attempts=1)  # fmt: skip
        site_requests = site.requests
    assert result["chunks_failed"] == ["2017-07-01..2017-07-31"]
    runs = stored(db, "select status from runs")
    assert runs == [("failed",)]
    rows = stored(db, "select article_id, url, fetched_from, status from articles")
    in_july = {a.article_id for a in corpus.articles if JULY[0] <= a.published_at.date() <= JULY[1]}
    assert {r[0] for r in rows} == in_july  # all of July: read, or partial
    disallowed = {r[0] for r in rows if "/thoi-su/" in r[1]}
    assert disallowed
    assert not [t for _, t in site_requests if t.startswith("/thoi-su/")]  # never asked
    from_archive = {r[0] for r in rows if r[2] == "wayback"}
    assert from_archive == disallowed & held(corpus, *JULY)
    assert {r[0] for r in rows if r[3] == "partial"} == disallowed - from_archive
    assert {r[2] for r in rows if r[0] not in disallowed} == {"site"}


def test_dry_run_says_why_each_archive_candidate_was_picked(
    wayback: LoopbackHost, db: Path
) -> None:
    from lso_etl.pipeline.archives.plan import archive_dry_run

    settings = Settings(db=db, source="wayback", wayback_url=wayback.base_url)
    clock = VirtualClock()
    source = with_source(settings, BARE, archive_pacing(settings, clock, clock.sleep)).source
    chunks = archive_dry_run(settings, *JULY, 31, source)
    candidates = chunks[0]["candidates"]
    assert candidates and not db.exists()  # nothing written
    for candidate in candidates:
        assert "published by" in candidate["why"] and "captures" in candidate["why"]
        assert all("/web/" in url for url in candidate["captures"])


@pytest.mark.usefixtures("prefect_harness")
def test_the_backfill_flow_takes_the_source_as_a_parameter(
    corpus: Corpus, wayback: LoopbackHost, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.backfill import backfill as backfill_flow

    monkeypatch.setenv("LSO_WAYBACK_URL", wayback.base_url)
    july = (date(2017, 7, 1), date(2017, 7, 10))
    summary = backfill_flow(*july, None, str(db), 0.0, 31, False, "wayback")
    assert summary["counts"]["loaded"] == len(held(corpus, *july))
    assert {r[0] for r in stored(db, "select fetched_from from runs")} == {"wayback"}


def test_an_unknown_source_is_refused_in_one_line(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    from lso_etl.cli import main as cli_main

    args = ["--db", str(db), "backfill", "--from", "2017-07-01", "--to", "2017-07-31"]
    monkeypatch.setattr(sys, "argv", ["lso-etl", *args, "--source", "archive-of-babel"])
    with pytest.raises(SystemExit) as ended:
        cli_main.main()
    err = capsys.readouterr().err.strip().splitlines()
    assert ended.value.code not in (0, None) and not db.exists()
    assert len(err) == 1 and "--source='archive-of-babel' is not allowed: site or" in err[0]


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("LSO_SOURCE", "archive", "LSO_SOURCE='archive' is not allowed: site or wayback"),
        ("LSO_CAPTURE", "middle", "LSO_CAPTURE='middle' is not allowed: earliest or latest"),
        ("LSO_WAYBACK_URL", "web.archive.org", "LSO_WAYBACK_URL='web.archive.org' is not allowed"),
        ("LSO_CC_DATA_URL", "ftp://data", "LSO_CC_DATA_URL='ftp://data' is not allowed"),
    ],
)
def test_source_settings_are_checked_when_read(variable: str, value: str, words: str) -> None:
    with pytest.raises(ValueError, match="^" + words.replace("?", r"\?")):
        Settings.from_env({variable: value})


def test_a_429_storm_on_the_cdx_api_fails_the_chunk_in_one_line_for_a_rerun(
    wayback: LoopbackHost, db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    wayback.throttle([Throttle("5")] * 3, prefix="/cdx/")
    result = run(db, wayback, VirtualClock())
    assert result["chunks_failed"]
    failed = [r.getMessage() for r in caplog.records if "failed:" in r.getMessage()]
    assert len(failed) == 1 and "answered 429 3 times in a row" in failed[0]
    cdx_calls = [t for t in wayback.targets if t.startswith("/cdx/")]
    assert len(cdx_calls) == 3  # then not asked again this run
    assert run(db, wayback, VirtualClock())["counts"].get("loaded")  # the rerun finishes it


def test_a_runs_row_counts_the_archive_requests(wayback: LoopbackHost, db: Path) -> None:
    run(db, wayback, VirtualClock())
    (requests,) = stored(db, "select sum(requests) from runs")[0]
    assert requests == len(wayback.targets)
