"""A demo-like warehouse for the analyst tests: every replay article fetched over HTTP, parsed
and loaded through the library's own steps (fetch, parse, load) as one run, without Prefect.

Candidates come straight from the corpus rather than from discovery, so these tests exercise
the warehouse, not the crawler.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

from lso_etl.crawl.fetch import Fetcher
from lso_etl.extract.parse import parse_page
from lso_etl.models import ArticleRef, CrawlItem, FetchResult, RunCounts
from lso_etl.replay.corpus import build_corpus
from lso_etl.replay.model import Corpus
from lso_etl.replay.server import ReplaySite
from lso_etl.settings import Settings
from lso_etl.store import warehouse
from lso_etl.store.analyst import search

BATCH = 50


def load_replay(
    db: Path, site: ReplaySite, corpus: Corpus, paths: list[str] | None = None
) -> dict[str, int]:
    """Crawl the replay articles (all, or those at `paths`) into `db` as one run; refresh search.

    Returns the run's outcome counts.
    """
    settings = Settings(db=db, base_url=site.base_url, min_delay=0.0)
    chosen = [a for a in corpus.articles if paths is None or a.path in paths]
    refs = [
        ArticleRef(site.base_url + a.path, a.article_id, a.published_at.date(), "sitemap")
        for a in chosen
    ]
    with warehouse.connect(db) as con:
        warehouse.migrate(con)
        run_id = warehouse.start_run(con, "backfill-chunk", {}, site.base_url, True, "test")
    counts = RunCounts()
    with Fetcher(settings) as fetcher:
        for first in range(0, len(refs), BATCH):
            items = [_crawl(fetcher.fetch(ref)) for ref in refs[first : first + BATCH]]
            with warehouse.connect(db) as con:
                counts.add(warehouse.load_batch(con, run_id, items))
        requests, size = fetcher.requests_made, fetcher.bytes_fetched
    with warehouse.connect(db) as con:
        warehouse.finish_run(con, run_id, "completed", counts, requests, size)
        search.refresh_search(con)
    return counts.counts


def _crawl(fetched: FetchResult) -> CrawlItem:
    return CrawlItem(fetched, parse_page(fetched.page) if fetched.page is not None else None)


EDITED_WORD = "xyzedited"  # appears only in the edited version of one article


@functools.cache
def demo_db() -> Path:
    """One demo warehouse per test session (read it, never write it; copy it to change it).

    The replay corpus loaded as one run; then one article edited on the site and reloaded
    (history), and one article served with an empty body (quarantine).
    """
    folder = Path(tempfile.mkdtemp(prefix="lso-demo-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    db = folder / "lso.duckdb"
    corpus = build_corpus()
    with ReplaySite(corpus) as site:
        load_replay(db, site, corpus)
        edited, broken = corpus.articles[10], corpus.articles[20]
        site.edit(edited.path, paragraphs=(*edited.paragraphs, f"Đã cập nhật {EDITED_WORD}."))
        site.edit(broken.path, paragraphs=())
        load_replay(db, site, site.corpus, [edited.path, broken.path])
    return db
