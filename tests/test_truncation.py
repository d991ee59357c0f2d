"""Truncation is an error (issue 12, item 4), against the replay site on loopback: a body cut by a
wrong Content-Length or a cut gzip stream is retried and never stored, and an article stored
cut before this was caught is fetched again in full instead of being kept by a 304."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

from lso_etl.crawl import transfer
from lso_etl.crawl.completeness import cut_short
from lso_etl.pipeline.run import run_window
from lso_etl.replay.model import Corpus, CorpusArticle
from lso_etl.replay.server import ReplaySite
from tests.test_faults import END, START, STRATEGIES, fast_settings, outcomes, week

FIXTURES = Path(__file__).parent / "fixtures" / "pages"
HTML = "text/html; charset=UTF-8"


def _target(corpus: Corpus) -> CorpusArticle:
    return next(a for a in corpus.articles if a.published_at.date() == date(2017, 6, 3))


def _truth(article: CorpusArticle) -> int:
    return sum(len(paragraph.split()) for paragraph in article.paragraphs)


def _stored_words(db: Path, article_id: str) -> int | None:
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute("select body from articles where article_id = ?", [article_id]).fetchone()
    return len(row[0].split()) if row else None


def test_a_short_content_length_is_retried_and_the_whole_article_stored(
    corpus: Corpus, tmp_path: Path
) -> None:
    target, db = _target(corpus), tmp_path / "lso.duckdb"
    with ReplaySite(corpus, faults={target.path: ["short-length"]}) as site:
        summary = run_window(
            "backfill-chunk", fast_settings(site.base_url, db), (START, END), STRATEGIES, None, {}
        )
        spent = site.count(target.path)
        served = site.faults_served
    assert served == [(target.path, "short-length")]
    assert summary["counts"] == {"loaded": len(week(corpus))}
    assert spent == 2  # the cut answer, then the whole one
    assert _stored_words(db, target.article_id) == _truth(target)


@pytest.mark.parametrize("fault", ["short-length", "gzip-cut"])
def test_a_body_cut_on_every_try_ends_gave_up_stores_nothing_and_loads_on_the_next_run(
    corpus: Corpus, tmp_path: Path, fault: str
) -> None:
    target, db = _target(corpus), tmp_path / "lso.duckdb"
    with ReplaySite(corpus, faults={target.path: [fault] * 3}) as site:
        settings = fast_settings(site.base_url, db)
        first = run_window("backfill-chunk", settings, (START, END), STRATEGIES, None, {})
        outcome, detail = outcomes(db)[target.article_id]
        words_after_first = _stored_words(db, target.article_id)
        second = run_window("backfill-chunk", settings, (START, END), STRATEGIES, None, {})
        spent = site.count(target.path)
    assert first["counts"]["gave_up"] == 1 and outcome == "gave_up"
    assert "Truncated" in (detail or ""), detail
    assert words_after_first is None  # never loaded, not even as a cut version
    with duckdb.connect(str(db), read_only=True) as con:
        cut_archived = con.execute(
            "select count(*) from archive_records where article_id = ? and run_id = ?",
            [target.article_id, first["run_id"]],
        ).fetchone()
    assert cut_archived == (0,)  # a cut body is not kept as the page either
    assert second["counts"] == {"loaded": 1, "skipped": len(week(corpus)) - 1}
    assert spent == 3 + 1
    assert _stored_words(db, target.article_id) == _truth(target)


def test_an_article_stored_cut_before_the_fix_is_fetched_again_without_validators(
    corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A warehouse written by the client before truncation was caught holds a cut article and
    its ETag: the daily re-check must not accept a 304 for it."""
    target, db = _target(corpus), tmp_path / "lso.duckdb"
    with ReplaySite(corpus, faults={target.path: ["short-length"]}) as site:
        settings = fast_settings(site.base_url, db)
        with monkeypatch.context() as before_the_fix:
            before_the_fix.setattr(transfer, "cut_short", lambda *args: None)
            run_window("backfill-chunk", settings, (START, END), STRATEGIES, None, {})
        words_before = _stored_words(db, target.article_id)
        daily = run_window("daily", settings, (START, END), STRATEGIES, START, {})
    assert words_before is not None and words_before < _truth(target)  # the issue, reproduced
    assert _stored_words(db, target.article_id) == _truth(target)
    with duckdb.connect(str(db), read_only=True) as con:
        statuses = dict(
            con.execute(
                "select article_id, status from archive_records where run_id = ? and kind = 'article'",
                [daily["run_id"]],
            ).fetchall()
        )
    assert statuses.pop(target.article_id) == 200  # asked without validators
    assert set(statuses.values()) == {304}  # the others still re-checked conditionally
    assert daily["counts"] == {"loaded": 1, "unchanged": len(week(corpus)) - 1}


# --- the check itself (one function) -----------------------------------------------------------


def test_every_golden_page_is_whole_and_every_half_of_one_is_cut() -> None:
    pages = sorted(FIXTURES.glob("*.html"))
    assert len(pages) > 40
    for page in pages:
        body = page.read_bytes()
        assert cut_short(200, HTML, body) is None, page.name
        assert "no closing </html>" in (cut_short(200, HTML, body[: len(body) // 2]) or ""), (
            page.name
        )


def test_only_documents_that_open_their_root_are_judged() -> None:
    assert cut_short(200, HTML, b"<p>a fragment, never opened as a page") is None
    assert cut_short(404, HTML, b"<html><body>not found") is None  # errors are not stored
    assert cut_short(200, "application/json", b'{"items": [') is None
    assert cut_short(200, HTML, b"<!DOCTYPE html>\n<HTML lang=vi><body>x</body></HTML>\n") is None
    sitemap = b'<?xml version="1.0"?>\n<urlset xmlns="x"><url><loc>http://a/b</loc></url></urlset>'
    assert cut_short(200, "application/xml", sitemap) is None
    assert cut_short(200, "application/xml", b'<?xml version="1.0"?><urlset xmlns="x"/>') is None
    cut = cut_short(200, "application/xml; charset=UTF-8", sitemap[:60])
    assert cut == "body cut short: 60 bytes of application/xml and no closing </urlset>"


SITEMAP_INDEX = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<!-- generated <br> by CMS -->\n'
    b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    b"<sitemap><loc>https://baolangson.vn/sitemaps/2017-07.xml</loc></sitemap>\n"
    b"</sitemapindex>\n"
)


def test_markup_inside_a_comment_before_the_root_is_not_the_root() -> None:
    xml = "application/xml"
    assert cut_short(200, xml, SITEMAP_INDEX) is None  # was: "no closing </br>", failing forever
    cut = SITEMAP_INDEX[: SITEMAP_INDEX.index(b"</sitemapindex>")]
    assert (cut_short(200, xml, cut) or "").endswith("no closing </sitemapindex>")
    # A stylesheet instruction and a comment longer than the head scanned: the root still found.
    styled = SITEMAP_INDEX.replace(
        b"<!--", b'<?xml-stylesheet type="text/xsl" href="/s.xsl"?>\n<!--' + b"x" * 5_000
    )
    assert cut_short(200, xml, styled) is None
    assert "no closing </sitemapindex>" in (cut_short(200, xml, styled[:-30]) or "")
    doctype = b'<?xml version="1.0"?><!DOCTYPE urlset><!-- <a> --><urlset xmlns="x"/>'
    assert cut_short(200, xml, doctype) is None  # closes itself: complete


def test_an_html_comment_naming_html_before_the_page_is_not_its_opening() -> None:
    golden = (FIXTURES / "current_basic.html").read_bytes()
    commented = b"<!-- template: <html> ... </html> -->\n" + golden
    assert cut_short(200, HTML, commented) is None
    cut = commented[: len(commented) // 2]
    assert (cut_short(200, HTML, cut) or "").endswith("no closing </html>")
    fragment = b"<!-- was <html> in the old CMS -->\n<div><p>a fragment, never opened as a page"
    assert cut_short(200, HTML, fragment) is None  # was: judged cut for want of </html>


def test_finding_the_root_is_linear_on_hostile_heads() -> None:
    heads = [
        b"<!--x-->" * 500_000 + b"<urlset>",  # 4 MB of comments, then a cut root
        b"<urlset a='" + b"<" * 4_000_000,  # an unclosed quote in the root's tag
        b"<!--" + b"<br>" * 1_000_000,  # a comment that never ends
        b"<" * 4_000_000,
    ]
    started = time.perf_counter()
    results = [cut_short(200, "application/xml", head) for head in heads]
    assert time.perf_counter() - started < 2.0
    assert (
        results[0]
        == f"body cut short: {len(heads[0])} bytes of application/xml and no closing </urlset>"
    )
    assert results[1:] == [None, None, None]
