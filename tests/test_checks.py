"""Data checks of issue 16, each on a warehouse that breaks its rule: an ok record without a
publish date, a date outside the site's lifetime, a page that disappeared, a fallback record
missing what the site always gives; and the export files an undated article as 'undated'."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
from demo_warehouse import load_replay

from lso_etl.crawl.fetch import Fetcher
from lso_etl.models import ArticleRef, ParseResult, Status
from lso_etl.replay.faults import Fault
from lso_etl.replay.model import Corpus
from lso_etl.replay.server import ReplaySite
from lso_etl.settings import Settings
from lso_etl.store import checks, warehouse
from lso_etl.store.analyst.export import export
from tests.test_warehouse import _article, _item, _run

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _load(db: Path, *articles: object) -> dict[str, int]:
    items = [_item(ParseResult(Status.OK, article=a)) for a in articles]  # type: ignore[arg-type]
    with warehouse.connect(db) as con:
        warehouse.migrate(con)
        warehouse.load_batch(con, _run(con), items)
        return checks.run_checks(con)


def _id(n: int) -> str:
    return f"new:{5_200_000 + n}"


def test_each_new_check_names_the_records_that_break_it(db: Path, tmp_path: Path) -> None:
    dated = _article(article_id=_id(0), content_hash="0")
    undated = _article(article_id=_id(1), content_hash="1", published_at=None)
    typo_year = _article(
        article_id=_id(2), content_hash="2", published_at=datetime(1970, 1, 2, tzinfo=VN)
    )
    bare_fallback = _article(article_id=_id(3), content_hash="3", layout="fallback", authors=(), section=None)  # fmt: skip
    found = _load(db, dated, undated, typo_year, bare_fallback)
    with warehouse.connect(db) as con:
        named = {name: {row[0] for row in checks.offending_rows(con, name)} for name in (
            "published_at_missing_in_ok_record", "published_outside_site_lifetime",
            "fallback_record_missing_fields")}  # fmt: skip
    assert named == {
        "published_at_missing_in_ok_record": {_id(1)},
        "published_outside_site_lifetime": {_id(2)},
        "fallback_record_missing_fields": {_id(3)},
    }
    assert found["page_disappeared"] == 0
    export(db, tmp_path / "out")
    parquet = tmp_path / "out" / "parquet" / "articles"
    undated_files = list((parquet / "year=undated" / "month=undated").glob("*.parquet"))
    with duckdb.connect() as con:
        ids = con.execute(
            "select article_id from read_parquet(?)", [[str(p) for p in undated_files]]
        )
        assert ids.fetchall() == [(_id(1),)]
    assert sorted(p.name for p in parquet.iterdir()) == ["year=1970", "year=2017", "year=undated"]


def test_a_page_answering_404_later_is_named_and_its_status_kept(db: Path, corpus: Corpus) -> None:
    gone = corpus.articles[3]
    with ReplaySite(corpus) as site:
        assert load_replay(db, site, corpus, [gone.path]) == {"loaded": 1}
    with ReplaySite(corpus, faults={gone.path: [404]}) as site:
        assert load_replay(db, site, corpus, [gone.path]) == {"http_error": 1}
    with warehouse.connect(db) as con:
        statuses = con.execute(
            "select status from fetches order by fetched_at nulls last"
        ).fetchall()
        gone_rows = checks.offending_rows(con, "page_disappeared")
    assert statuses == [(200,), (404,)]  # the 404 answer is kept, not null
    assert [(row[0], row[1]) for row in gone_rows] == [(gone.article_id, 404)]


def test_fetches_keep_the_status_of_every_answer_and_null_without_one(
    db: Path, corpus: Corpus
) -> None:
    one, two, three = (a for a in corpus.articles[:3])
    faults: dict[str, list[Fault]] = {one.path: [503] * 5, two.path: ["reset"] * 5}
    with ReplaySite(corpus, faults=faults) as site:
        settings = Settings(db=db, base_url=site.base_url, min_delay=0.0, backoff=0.01)
        refs = [ArticleRef(site.base_url + a.path, a.article_id, None, "sitemap")
                for a in (one, two, three)]  # fmt: skip
        with Fetcher(settings) as fetcher:
            fetched = [fetcher.fetch(ref) for ref in refs]
    with warehouse.connect(db) as con:
        warehouse.migrate(con)
        warehouse.record_fetches(con, _run(con), fetched)
        rows = con.execute("select article_id, status, outcome from fetches order by 1").fetchall()
    assert sorted(rows) == sorted([
        (one.article_id, 503, "gave_up"),  # answered, retried, still 503: the status is kept
        (two.article_id, None, "gave_up"),  # the connection was reset: no answer, no status
        (three.article_id, 200, None),
    ])  # fmt: skip
