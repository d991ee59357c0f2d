"""The raw archive: every response in a run's WARC file, indexed; conditional re-requests; a run
killed between archive and load resumes from the archive; `lso-etl reparse` needs no network."""

from __future__ import annotations

import hashlib
import json
import logging
import random
import re
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from lso_etl.cli.main import app
from lso_etl.crawl.archive import DamagedRecord, RunArchive, read_page, scan
from lso_etl.crawl.discovery import discover
from lso_etl.crawl.transfer import Exchange
from lso_etl.crawl.warcinfo import read_warcinfo
from lso_etl.models import RunCounts
from lso_etl.pipeline import steps as crawl
from lso_etl.pipeline.run import BARE, Steps, run_window
from lso_etl.replay.model import Corpus
from lso_etl.replay.server import ReplaySite
from lso_etl.settings import Settings
from lso_etl.store import warehouse
from lso_etl.store.crawl_state.archive_identity import WARCINFO_FIELD, warehouse_id
from lso_etl.store.crawl_state.archive_index import recover

START, END = date(2017, 6, 1), date(2017, 6, 14)
STRATEGIES = ("sitemap",)


def _settings(base_url: str, db: Path) -> Settings:
    return Settings.from_env(
        {}, base_url=base_url, db=db, min_delay=0.0, backoff=0.01, batch_size=5
    )


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def _in_range(corpus: Corpus) -> list[str]:
    return [a.path for a in corpus.articles if START <= a.published_at.date() <= END]


def test_every_response_and_request_is_archived_and_indexed(corpus: Corpus, tmp_path: Path) -> None:
    db = tmp_path / "lso.duckdb"
    with ReplaySite(corpus) as site:
        summary = run_window("backfill-chunk", _settings(site.base_url, db), (START, END),
                             STRATEGIES, None, {})  # fmt: skip
        served = len(site.requests)
    (warc,) = (tmp_path / "lso.raw").glob("*.warc.gz")  # one file per run, named after the db
    with warc.open("rb") as stream:
        records = [(r.rec_type, r.content_stream().read()) for r in ArchiveIterator(stream)]
    kinds = [kind for kind, _ in records]
    assert kinds[0] == "warcinfo" and b"robots: obey" in records[0][1]
    ((warehouse_id,),) = _rows(db, "select warehouse_id from warehouse_identity")
    assert f"lso-warehouse-id: {warehouse_id}".encode() in records[0][1]
    assert kinds[1:] == ["request", "response"] * served  # every exchange, as a pair
    index = _rows(
        db, "select url, kind, status, warc_file, warc_offset, sha256 from archive_records"
    )
    assert len(index) == served == summary["requests"]
    assert {kind for _, kind, *_ in index} == {"robots", "discovery", "article"}
    for url, _, status, warc_file, offset, sha256 in index:
        page = read_page(tmp_path / "lso.raw", str(warc_file), int(str(offset)))
        assert (page.url, page.status) == (url, status)
        assert hashlib.sha256(page.content).hexdigest() == sha256
    unlinked = _rows(db, "select url from fetches where status = 200 and warc_file is null")
    assert unlinked == []  # every fetched candidate points into the archive


def test_recovery_indexes_what_a_killed_run_archived_and_ignores_a_torn_record(
    tmp_path: Path,
) -> None:
    from datetime import UTC, datetime

    db = tmp_path / "lso.duckdb"
    with warehouse.connect(db) as con:
        warehouse.migrate(con)
        run_id = warehouse.start_run(con, "daily", {}, "http://127.0.0.1:9", True, "test")
        info = {"software": "test", WARCINFO_FIELD: warehouse_id(con)}  # this warehouse's file
    archive = RunArchive(tmp_path, run_id, info)
    for n in range(3):
        url = f"http://127.0.0.1:9/bai-{5000001 + n}.html"
        archive.response(url, Exchange(url, (), 200, "OK", (("etag", f'"{n}"'),),
                                       b"<p>x</p>" * 50, datetime.now(UTC), 0.01))  # fmt: skip
    archive.close()
    whole = archive.path.read_bytes()
    archive.path.write_bytes(whole[:-40])  # killed while writing the third record
    with warehouse.connect(db) as con:
        assert len(recover(con, tmp_path, scan, read_warcinfo).records) == 2
        again = recover(con, tmp_path, scan, read_warcinfo)
        assert again.records == [] and again.foreign == {}  # idempotent: nothing new
        rows = con.execute(
            "select article_id, run_id, etag from archive_records order by 1"
        ).fetchall()
    assert rows == [("new:5000001", run_id, '"0"'), ("new:5000002", run_id, '"1"')]


class Killed(BaseException):
    """Stands in for a kill: not an Exception, so nothing on the way up handles it."""


def test_a_run_killed_between_archive_and_load_resumes_from_the_archive(
    corpus: Corpus, tmp_path: Path
) -> None:
    db = tmp_path / "lso.duckdb"
    loads = 0

    def dies_on_second_load(*args: object) -> object:
        nonlocal loads
        loads += 1
        if loads == 2:
            raise Killed  # after the second batch was fetched and archived, before its load
        return crawl.load_items(*args)  # type: ignore[arg-type]

    steps = Steps(BARE.discover, BARE.submit_crawl, dies_on_second_load)
    paths = _in_range(corpus)
    with ReplaySite(corpus) as site:
        settings = _settings(site.base_url, db)
        with pytest.raises(Killed):
            run_window("backfill-chunk", settings, (START, END), STRATEGIES, None, {}, steps)
        fetched_before = {t for _, t in site.requests if t in paths}
        resumed = run_window("backfill-chunk", settings, (START, END), STRATEGIES, None, {})
        counts = {p: site.count(p) for p in paths}
    assert len(fetched_before) > 5  # batches were fetched (and archived) but not all loaded
    assert all(n == 1 for n in counts.values()), counts  # nothing fetched twice
    assert resumed["counts"] == {"skipped": 5, "loaded": len(paths) - 5}
    assert _rows(db, "select count(*) from articles") == [(len(paths),)]


def test_rechecks_and_discovery_are_conditional_and_a_304_costs_no_parsing(
    corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "lso.duckdb"
    with ReplaySite(corpus) as site:
        settings = _settings(site.base_url, db)
        run_window("backfill-chunk", settings, (START, END), STRATEGIES, None, {})
        parsed: list[str] = []
        monkeypatch.setattr(crawl, "parse_page", lambda page: parsed.append(page.url))
        monkeypatch.setattr(discover, "parse_sitemap", lambda body: parsed.append("sitemap"))
        again = run_window("daily", settings, (START, END), STRATEGIES, START, {})
    assert again["counts"] == {"unchanged": len(_in_range(corpus))}
    assert parsed == []  # neither the sitemaps nor the pages were parsed again
    statuses = _rows(db, "select kind, status, count(*) from archive_records"
                         " where run_id = '" + again["run_id"] + "' group by all order by 1")  # fmt: skip
    # robots.txt read by the first run less than 24 hours ago is not asked for (RFC 9309).
    assert statuses == [("article", 304, len(_in_range(corpus))), ("discovery", 304, 2)]


def test_reparse_rebuilds_records_from_the_archive_without_network(
    corpus: Corpus, tmp_path: Path
) -> None:
    db = tmp_path / "lso.duckdb"
    query = "select article_id, headline, body, published_at, content_hash from articles order by 1"
    with ReplaySite(corpus) as site:
        run_window(
            "backfill-chunk", _settings(site.base_url, db), (START, END), STRATEGIES, None, {}
        )
    before = _rows(db, query)
    with duckdb.connect(str(db)) as con:  # history as an older, buggy parser wrote it
        con.execute("update articles set headline = 'x', content_hash = 'x'")
    damaged = _rows(db, query)
    # The site is gone: any request would fail. First only the first week is reparsed.
    week = CliRunner().invoke(
        app, ["--db", str(db), "reparse", "--from", "2017-06-01", "--to", "2017-06-07", "--json"]
    )
    assert week.exit_code == 0, week.output
    first_week = {
        a.article_id for a in corpus.articles if a.published_at.date() <= date(2017, 6, 7)
    }
    expected = [b if b[0] in first_week else d for b, d in zip(before, damaged, strict=True)]
    assert _rows(db, query) == expected
    assert f'"loaded": {len(first_week)}' in week.output
    everything = CliRunner().invoke(app, ["--db", str(db), "reparse"])
    assert everything.exit_code == 0, everything.output
    assert "reparse: " in everything.output and "unchanged " in everything.output
    assert _rows(db, query) == before
    assert _rows(db, "select max(version) from articles") == [(2,)]  # a new version each
    # No request was made: the reparse runs record the archive's origin, not the live site's,
    # so the replay warehouse still accepts replay runs afterwards.
    assert _rows(db, "select distinct base_url from runs") == [(site.base_url,)]


# --- damaged archives --------------------------------------------------------------------------
MID = date(2017, 6, 7)


def _two_runs(corpus: Corpus, tmp_path: Path) -> tuple[Path, Path, Path]:
    """A warehouse built by two real crawls of the replay site: one WARC file each."""
    db = tmp_path / "lso.duckdb"
    with ReplaySite(corpus) as site:
        settings = _settings(site.base_url, db)
        run_window("backfill-chunk", settings, (START, MID), STRATEGIES, None, {})
        run_window("backfill-chunk", settings, (MID + timedelta(days=1), END), STRATEGIES, None, {})
    first, second = sorted((tmp_path / "lso.raw").glob("*.warc.gz"))
    return db, first, second


def _article_records(db: Path, warc: Path) -> list[tuple[int, int]]:
    return [
        (int(str(offset)), int(str(length)))
        for offset, length in _rows(
            db,
            "select warc_offset, warc_length from archive_records where kind = 'article'"
            f" and status = 200 and warc_file = '{warc.name}' order by warc_offset",
        )
    ]


def _damage(warc: Path, how: str, records: list[tuple[int, int]]) -> int:
    """Damage one WARC file; return how many of its article records can no longer be read."""
    middle = len(records) // 2
    offset, length = records[middle]
    data = warc.read_bytes()
    if how == "truncated mid-record":
        warc.write_bytes(data[: offset + length // 2])
        return len(records) - middle
    if how == "bytes overwritten in the middle":
        at = offset + length // 2
        warc.write_bytes(data[:at] + bytes(64) + data[at + 64 :])
        return 1
    if how == "random bytes":  # longer than before: the next run's recovery scans the garbage
        warc.write_bytes(random.Random(7).randbytes(len(data) + 4096))
        return len(records)
    warc.write_bytes(b"")  # zero-length
    return len(records)


@pytest.mark.parametrize(
    "how",
    ["truncated mid-record", "bytes overwritten in the middle", "random bytes", "zero-length"],
)
def test_reparse_skips_a_damaged_warc_file_reports_it_and_reparses_the_rest(
    corpus: Corpus, tmp_path: Path, how: str, caplog: pytest.LogCaptureFixture
) -> None:
    db, first, second = _two_runs(corpus, tmp_path)
    total = len(_in_range(corpus))
    records = _article_records(db, second)
    assert len(_article_records(db, first)) + len(records) == total and len(records) >= 4
    damaged = _damage(second, how, records)
    articles_before = _rows(db, "select article_id, content_hash from articles order by 1")
    caplog.set_level(logging.WARNING)
    result = CliRunner().invoke(app, ["--db", str(db), "reparse", "--json"])
    assert result.exit_code == 0, result.output
    assert result.exception is None
    (line,) = result.stdout.splitlines()
    summary = json.loads(line)
    assert summary["damaged"] == damaged
    assert summary["counts"] == {"unchanged": total - damaged}  # every undamaged one reparsed
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert sum(second.name in w and "offset" in w for w in warnings) >= damaged
    assert _rows(db, "select article_id, content_hash from articles order by 1") == articles_before
    plain = CliRunner().invoke(app, ["--db", str(db), "reparse"])
    assert plain.exit_code == 0 and plain.stdout.count("\n") == 1
    assert f"{damaged} damaged archive records skipped (see the log)" in plain.stdout
    assert f"unchanged {total - damaged}" in plain.stdout


def test_recovery_skips_a_damaged_record_and_goes_on_to_the_next(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from datetime import UTC, datetime

    db = tmp_path / "lso.duckdb"
    with warehouse.connect(db) as con:  # a run of this warehouse, as its runs' files name one
        warehouse.migrate(con)
        run_id = warehouse.start_run(con, "daily", {}, "http://127.0.0.1:9", True, "test")
        warehouse.finish_run(con, run_id, "completed", RunCounts(), 0, 0)
    archive = RunArchive(tmp_path, run_id, {"software": "test", "isPartOf": f"daily run {run_id}"})
    for n in range(3):
        url = f"http://127.0.0.1:9/bai-{5000001 + n}.html"
        archive.response(url, Exchange(url, (), 200, "OK", (), b"<p>x</p>" * 50,
                                       datetime.now(UTC), 0.01))  # fmt: skip
    rows = archive.drain()
    archive.close()
    data = bytearray(archive.path.read_bytes())
    at = rows[1].warc_offset + rows[1].warc_length // 2
    data[at : at + 32] = bytes(32)  # the second response overwritten: the third is intact
    archive.path.write_bytes(bytes(data))
    # Garbage from the first byte: no warcinfo, so its name tells whose it is (this run's).
    garbage = tmp_path / f"20170101T000000Z-{run_id}.warc.gz"
    garbage.write_bytes(random.Random(1).randbytes(5000))
    caplog.set_level(logging.WARNING)
    with warehouse.connect(db) as con:
        found = recover(con, tmp_path, scan, read_warcinfo).records
    assert [r.warc_offset for r in found] == [rows[0].warc_offset, rows[2].warc_offset]
    warned = " ".join(r.getMessage() for r in caplog.records)
    assert f"{archive.name}: damaged archive record at offset" in warned
    assert f"{garbage.name}: damaged archive record at offset 0" in warned
    with pytest.raises(
        DamagedRecord, match=re.escape(f"{archive.name} at offset {rows[1].warc_offset}")
    ):
        read_page(tmp_path, archive.name, rows[1].warc_offset)
    with pytest.raises(DamagedRecord, match=re.escape("no-such.warc.gz at offset 0")):
        read_page(tmp_path, "no-such.warc.gz", 0)


def test_junk_after_the_last_record_is_searched_fast_once_and_a_record_after_it_is_found(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """64 MiB of zeros after an indexed file's last record used to cost every run 86 s (warcio
    reads them as one text line): now a block search, one warning, and no second reading."""
    from datetime import UTC, datetime

    from lso_etl.store.crawl_state.archive_index import insert

    db = tmp_path / "lso.duckdb"
    with warehouse.connect(db) as con:
        warehouse.migrate(con)
        run_id = warehouse.start_run(con, "daily", {}, "http://127.0.0.1:9", True, "test")
        info = {"software": "test", WARCINFO_FIELD: warehouse_id(con)}
    archives = [RunArchive(tmp_path / name, run_id, info) for name in ("lso.raw", "later")]
    for n, archive in enumerate(archives):
        url = f"http://127.0.0.1:9/bai-{5000001 + n}.html"
        archive.response(url, Exchange(url, (), 200, "OK", (), b"<p>x</p>" * 50,
                                       datetime.now(UTC), 0.01))  # fmt: skip
        archive.close()
    root, warc = tmp_path / "lso.raw", archives[0].path
    with warehouse.connect(db) as con:
        insert(con, archives[0].drain())  # fully indexed, as a finished run leaves it
    junk_at = warc.stat().st_size
    with warc.open("r+b") as stream:
        stream.truncate(junk_at + (64 << 20))  # 64 MiB of zeros appended
    caplog.set_level(logging.WARNING)
    timings, found = [], []
    for _ in range(2):
        began = time.monotonic()
        with warehouse.connect(db) as con:
            found.append(recover(con, root, scan, read_warcinfo).records)
        timings.append(time.monotonic() - began)
    assert found == [[], []] and max(timings) < 10, timings
    warned = [r.getMessage() for r in caplog.records if warc.name in r.getMessage()]
    assert warned == [  # once: the second run remembers the tail (size, mtime, indexed end)
        f"{warc.name}: damaged archive record at offset {junk_at} (no WARC record there):"
        f" skipped; no record in its last {64 << 20} bytes"
    ]
    later = archives[1].path.read_bytes()  # a whole run's records written after the junk
    with warc.open("ab") as stream:
        stream.write(later)
    with warehouse.connect(db) as con:  # the file changed: read again, and nothing is lost
        (row,) = recover(con, root, scan, read_warcinfo).records
    (expected,) = archives[1].drain()
    assert (row.url, row.warc_offset) == (expected.url, junk_at + (64 << 20) + expected.warc_offset)
    assert read_page(root, warc.name, row.warc_offset).url == expected.url
