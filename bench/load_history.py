"""Loading cost of full history (issue 16): batches of new articles, then the same pages again
(unchanged), timed on this tree and on another source tree (the baseline) in the same run.

    uv run python bench/load_history.py --baseline-src /tmp/lso-base/src --articles 2000

The baseline is a checkout of the code before the change (`git archive 68a76d0 src | tar -x -C
/tmp/lso-base`); each side runs in its own process, with PYTHONPATH pointing at its tree.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

BATCH = 50
WORDS = [
    "Lạng",
    "Sơn",
    "tỉnh",
    "huyện",
    "xã",
    "nông",
    "thôn",
    "mới",
    "cửa",
    "khẩu",
    "Đồng",
    "Đăng",
    "kinh",
    "tế",
    "du",
    "lịch",
]


def one_side(articles: int) -> dict[str, float]:
    """Time a first load and an unchanged re-load of `articles` synthetic records (this process)."""
    from lso_etl.models import (
        Article,
        ArticleRef,
        CrawlItem,
        FetchResult,
        ParseResult,
        RawPage,
        Status,
    )
    from lso_etl.store import warehouse

    def item(n: int, at: datetime) -> CrawlItem:
        body = "\n\n".join(
            " ".join(WORDS[(n + k) % len(WORDS)] for k in range(60)) for _ in range(8)
        )
        article = Article(
            f"new:{6_000_000 + n}", f"https://baolangson.vn/bai-{6_000_000 + n}.html",
            f"Tin số {n}", "Sapo.", "LSO", body, ("Minh Đức",), None, ("Ảnh",),
            datetime(2024, 1, 1, tzinfo=UTC) + timedelta(hours=n), "Kinh tế", "current",
            {"headline": "current:h1.name", "body": "current:div#content-detail"}, 480,
            f"{n:064d}", "bench",
        )  # fmt: skip
        url = f"http://127.0.0.1:9/bai-{6_000_000 + n}.html"
        page = RawPage(url, url, 200, {}, b"<html></html>", at)
        ref = ArticleRef(url, article.article_id, None, "sitemap")
        return CrawlItem(FetchResult(ref, page=page), ParseResult(Status.OK, article=article))

    timings = {}
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "lso.duckdb"
        with warehouse.connect(db) as con:
            warehouse.migrate(con)
            run = warehouse.start_run(con, "bench", {}, "http://127.0.0.1:9", True, "bench")
            for name in ("new", "unchanged"):
                at = datetime.now(UTC)
                started = time.perf_counter()
                for first in range(0, articles, BATCH):
                    batch = [item(n, at) for n in range(first, min(first + BATCH, articles))]
                    warehouse.load_batch(con, run, batch)
                timings[name] = round(time.perf_counter() - started, 3)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-src", type=Path, required=True)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--side", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        print(json.dumps(one_side(args.articles)))
        return
    here = Path(__file__).resolve().parents[1] / "src"
    results = {}
    for name, src in (
        ("baseline", args.baseline_src),
        ("this tree", here),
        ("baseline again", args.baseline_src),
        ("this tree again", here),
    ):
        env = {**os.environ, "PYTHONPATH": str(src)}
        done = subprocess.run([sys.executable, __file__, "--side", "--articles", str(args.articles),
                               "--baseline-src", str(args.baseline_src)], env=env, check=True,
                              capture_output=True, text=True)  # fmt: skip
        results[name] = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"{args.articles} articles in batches of {BATCH}, seconds:")
    for name, timing in results.items():
        print(f"| {name} | {timing['new']} | {timing['unchanged']} |")


if __name__ == "__main__":
    main()
