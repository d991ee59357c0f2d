"""Layout drift on the report page: part of the replay corpus served in markup no profile
knows, from one publish day on; the page's layout shares show fallback from that day, and
not before. Read back from the figures the page carries, in a real browser."""

from __future__ import annotations

from pathlib import Path

from demo_warehouse import load_replay
from report_browser import browser, load

from lso_etl.replay.corpus import build_corpus
from lso_etl.replay.render import REDESIGNED
from lso_etl.replay.server import ReplaySite
from lso_etl.store.analyst.report import build_report

REDESIGNED_ARTICLES = 45  # the newest ones: about the last two weeks of the corpus


def test_fallback_share_rises_on_the_day_the_markup_changed(tmp_path: Path) -> None:
    corpus = build_corpus()
    changed_from = corpus.articles[-REDESIGNED_ARTICLES].published_at.date()
    with ReplaySite(corpus) as site:
        for article in corpus.articles:
            if article.published_at.date() >= changed_from and article.layout == "current":
                site.edit(article.path, layout=REDESIGNED)  # the site's new markup
        load_replay(tmp_path / "lso.duckdb", site, site.corpus)
    written = build_report(tmp_path / "lso.duckdb", tmp_path / "page.html")
    with browser() as launched:
        page = load(launched, written.path)
        assert page.errors() == []
        shares = page.embedded()["datasets"]["quality_layouts"]
        rendered = {c["id"]: c["rendered"] for c in page.charts()}
    assert rendered["quality-layouts"] == "yes"
    fallback = {row["day"]: row["share"] for row in shares if row["layout"] == "fallback"}
    days = sorted({row["day"] for row in shares})
    before = [day for day in days if day < changed_from.isoformat()]
    assert before and not any(fallback.get(day) for day in before)
    assert min(fallback) == changed_from.isoformat()
    after = [fallback.get(day, 0.0) for day in days if day >= changed_from.isoformat()]
    # Legacy-CMS pages kept their markup: the fallback share is the current ones' share.
    assert sum(after) / len(after) > 0.4
