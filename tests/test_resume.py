"""Kill and resume: a real backfill process (the CLI, the Prefect flow) is SIGKILLed mid-run, twice,
then rerun. The final warehouse equals an uninterrupted run's, and no page that was archived was
ever fetched again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

import duckdb
import pytest

from flows.backfill import backfill
from lso_etl.replay.model import Corpus
from lso_etl.replay.server import ReplaySite

pytestmark = pytest.mark.usefixtures("prefect_harness")

START, END = date(2017, 6, 1), date(2017, 7, 31)
ROOT = Path(__file__).resolve().parents[1]

ARTICLES = (
    "select article_id, url, headline, sapo, dateline, body, authors, source, captions, images,"
    " published_at, modified_at, section, tags, layout, provenance, word_count, content_hash,"
    " parser_version, version from articles order by article_id"
)
VERSIONS = (
    "select article_id, version, content_hash, valid_to is null from article_versions"
    " order by article_id, version"
)
FRONTIER = "select article_id, url, state, last_outcome from frontier order by article_id"


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        con.execute("set TimeZone = 'Asia/Ho_Chi_Minh'")
        return con.execute(sql).fetchall()


def _start_backfill(base_url: str, db: Path) -> subprocess.Popen[bytes]:
    from prefect.settings import get_current_settings

    env = {
        **os.environ,
        "PREFECT_API_URL": str(get_current_settings().api.url),  # the session's test server
        "LSO_MIN_DELAY": "0",
        "LSO_BATCH_SIZE": "5",
    }
    command = [sys.executable, "-c", "from lso_etl.cli.main import main; main()", "--db", str(db),
               "--base-url", base_url, "backfill", "--from", START.isoformat(),
               "--to", END.isoformat()]  # fmt: skip
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def _kill_after(
    process: subprocess.Popen[bytes], site: ReplaySite, paths: set[str], n: int
) -> None:
    """SIGKILL the process once the site has served `n` more article pages."""
    seen = sum(1 for _, t in site.requests if t in paths)
    deadline = time.monotonic() + 120
    while sum(1 for _, t in site.requests if t in paths) < seen + n:
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        assert time.monotonic() < deadline, "the backfill made no progress"
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    if process.stderr is not None:
        process.stderr.close()


def test_a_killed_backfill_resumes_to_the_same_warehouse_and_never_refetches(
    corpus: Corpus, tmp_path: Path
) -> None:
    in_range = [a for a in corpus.articles if START <= a.published_at.date() <= END]
    paths = {a.path for a in in_range}
    killed_db, reference_db = tmp_path / "killed" / "lso.duckdb", tmp_path / "ref" / "lso.duckdb"
    with ReplaySite(corpus) as site:
        for share in (0.3, 0.3):  # killed twice: after 30% of the pages, and 30% more
            _kill_after(
                _start_backfill(site.base_url, killed_db), site, paths, int(share * len(paths))
            )
        resumed_from = len(site.requests)
        final = backfill(START, END, site.base_url, str(killed_db), 0.0)
        after_kills = Counter(t for _, t in site.requests[:resumed_from] if t in paths)
        article_requests = Counter(t for _, t in site.requests if t in paths)
        backfill(START, END, site.base_url, str(reference_db), 0.0)

    assert final["chunks_failed"] == []
    for sql in (ARTICLES, VERSIONS, FRONTIER):
        assert _rows(killed_db, sql) == _rows(reference_db, sql)
    assert len(_rows(killed_db, ARTICLES)) == len(in_range)
    # Every page is archived once; a page is requested again only if it was in flight at a kill.
    archived_twice = _rows(
        killed_db,
        "select url from archive_records where kind = 'article' and status = 200"
        " group by url having count(*) > 1",
    )
    assert archived_twice == []
    assert set(article_requests) == paths
    refetched = [path for path, n in article_requests.items() if n > 1]
    assert len(refetched) <= 2 and all(article_requests[p] == 2 for p in refetched), refetched
    assert 0.5 * len(paths) <= len(after_kills) < len(paths)  # the kills did land mid-run
