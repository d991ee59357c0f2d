"""The raw archive: every response in a run's WARC file, indexed; conditional re-requests; a run
killed between archive and load resumes from the archive; `lso-etl reparse` needs no network."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from lso_etl.cli.main import app
from lso_etl.crawl import discover
from lso_etl.crawl.archive import RunArchive, read_page, scan
from lso_etl.crawl.transfer import Exchange
from lso_etl.pipeline import steps as crawl
from lso_etl.pipeline.run import BARE, Steps, run_window
from lso_etl.replay.model import Corpus
from lso_etl.replay.server import ReplaySite
from lso_etl.settings import Settings
from lso_etl.store.archive_index import recover

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
    (warc,) = (tmp_path / "raw").glob("*.warc.gz")  # one file per run
    with warc.open("rb") as stream:
        records = [(r.rec_type, r.content_stream().read()) for r in ArchiveIterator(stream)]
    kinds = [kind for kind, _ in records]
    assert kinds[0] == "warcinfo" and b"robots: obey" in records[0][1]
    assert kinds[1:] == ["request", "response"] * served  # every exchange, as a pair
    index = _rows(
        db, "select url, kind, status, warc_file, warc_offset, sha256 from archive_records"
    )
    assert len(index) == served == summary["requests"]
    assert {kind for _, kind, *_ in index} == {"robots", "discovery", "article"}
    for url, _, status, warc_file, offset, sha256 in index:
        page = read_page(tmp_path / "raw", str(warc_file), int(str(offset)))
        assert (page.url, page.status) == (url, status)
        assert hashlib.sha256(page.content).hexdigest() == sha256
    unlinked = _rows(db, "select url from fetches where status = 200 and warc_file is null")
    assert unlinked == []  # every fetched candidate points into the archive


def test_recovery_indexes_what_a_killed_run_archived_and_ignores_a_torn_record(
    tmp_path: Path,
) -> None:
    from datetime import UTC, datetime

    archive = RunArchive(tmp_path, "deadbeef0001", {"software": "test"})
    for n in range(3):
        url = f"http://127.0.0.1:9/bai-{5000001 + n}.html"
        archive.response(url, Exchange(url, (), 200, "OK", (("etag", f'"{n}"'),),
                                       b"<p>x</p>" * 50, datetime.now(UTC), 0.01))  # fmt: skip
    archive.close()
    whole = archive.path.read_bytes()
    archive.path.write_bytes(whole[:-40])  # killed while writing the third record
    db = tmp_path / "lso.duckdb"
    from lso_etl.store import warehouse

    with warehouse.connect(db) as con:
        warehouse.migrate(con)
        assert len(recover(con, tmp_path, scan)) == 2
        assert recover(con, tmp_path, scan) == []  # idempotent: nothing new the second time
        rows = con.execute(
            "select article_id, run_id, etag from archive_records order by 1"
        ).fetchall()
    assert rows == [("new:5000001", "deadbeef0001", '"0"'), ("new:5000002", "deadbeef0001", '"1"')]


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
    assert statuses == [("article", 304, len(_in_range(corpus))), ("discovery", 304, 2),
                        ("robots", 200, 1)]  # fmt: skip


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
