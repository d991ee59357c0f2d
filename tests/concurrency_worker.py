"""A second process for the concurrency tests: `hold` the file like a notebook, or `load` into it.

    python tests/concurrency_worker.py hold DB SECONDS
    python tests/concurrency_worker.py load DB WAIT_SECONDS BATCHES [BATCH_SIZE]
    python tests/concurrency_worker.py backfill DB BASE_URL START END WHEN_BUSY

`load` writes BATCHES batches of new synthetic articles, one transaction each, printing
"batch N" after each commit; a busy warehouse ends it with exit code 3 and the message.
`backfill` is a whole backfill run (bare, as `lso-etl backfill` runs it) holding the
warehouse's writer lock from before it reads which chunks are finished, printing "writing"
once it holds it and its summary as JSON at the end; a refusal exits 3 with its one line.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from lso_etl.errors import UserError
from lso_etl.models import (
    Article,
    ArticleRef,
    CrawlItem,
    FetchResult,
    ParseResult,
    RawPage,
    RunCounts,
    Status,
)
from lso_etl.pipeline import run
from lso_etl.settings import Settings
from lso_etl.store import warehouse
from lso_etl.store.writer_lock import writer_lock

BUSY_EXIT = 3


def hold(db: Path, seconds: float) -> None:
    con = duckdb.connect(str(db), read_only=True)  # what a notebook cell does
    con.execute("select count(*) from articles").fetchone()
    print("held", flush=True)
    time.sleep(seconds)
    con.close()
    print("released", flush=True)


def _item(number: int) -> CrawlItem:
    article_id = f"new:{8_000_000 + number}"
    url = f"https://baolangson.vn/bai-so-{number}-{8_000_000 + number}.html"
    article = Article(
        article_id=article_id, url=url, headline=f"Bài số {number} về nông thôn mới",
        sapo="Sáng nay, hội nghị diễn ra.", dateline="LSO", body="Nội dung bài viết. " * 40,
        authors=("Minh Đức",), source=None, captions=(),
        published_at=datetime(2017, 7, 26, 15, 47, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
        section="Kinh tế", layout="current", provenance={"headline": "current:h1.name"},
        word_count=90, content_hash=f"{number:064d}", parser_version="test",
    )  # fmt: skip
    page = RawPage(url, url, 200, {}, b"<html></html>", datetime.now(UTC))
    ref = ArticleRef(url, article_id, None, "sitemap")
    return CrawlItem(FetchResult(ref, page=page), ParseResult(Status.OK, article=article))


def load(db: Path, wait: float, batches: int, size: int) -> None:
    try:
        with warehouse.connect(db, wait_seconds=wait) as con:
            run_id = warehouse.start_run(con, "test", {}, "http://127.0.0.1:9", True, "test")
        counts = RunCounts()
        for batch in range(batches):
            items = [_item(batch * size + i) for i in range(size)]
            with warehouse.connect(db, wait_seconds=wait) as con:
                counts.add(warehouse.load_batch(con, run_id, items))
            print(f"batch {batch + 1}", flush=True)
        with warehouse.connect(db, wait_seconds=wait) as con:
            warehouse.finish_run(con, run_id, "completed", counts, 0, 0)
    except warehouse.WarehouseBusy as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        sys.exit(BUSY_EXIT)
    print("done", flush=True)


def backfill(db: Path, base_url: str, start: date, end: date, when_busy: str) -> None:
    # Paced, as a real run is: it gives the DuckDB file back while it waits on the network.
    settings = Settings.from_env({}, db=db, base_url=base_url, min_delay=0.01, backoff=0.01)
    try:
        # Until pipeline.run.backfill takes the lock itself, the way the lead wires it.
        with writer_lock(db, "backfill", when_busy):
            print("writing", flush=True)
            summary = run.backfill(settings, start, end)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        sys.exit(BUSY_EXIT)
    print(json.dumps({"chunks_run": summary["chunks_run"], "counts": summary["counts"]}))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    command, db = sys.argv[1], Path(sys.argv[2])
    if command == "hold":
        hold(db, float(sys.argv[3]))
    elif command == "backfill":
        first, last = date.fromisoformat(sys.argv[4]), date.fromisoformat(sys.argv[5])
        backfill(db, sys.argv[3], first, last, sys.argv[6])
    else:
        load(
            db, float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]) if len(sys.argv) > 5 else 50
        )
