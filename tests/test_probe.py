"""`lso-etl probe`: one polite fetch from the replay site, every rule shown with what it found."""

from __future__ import annotations

import json
import socket
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lso_etl.cli.commands.probe import FieldProbe, Probe, as_dict, probe_page, render
from lso_etl.cli.main import app
from lso_etl.models import RawPage
from lso_etl.replay.model import Corpus, CorpusArticle
from lso_etl.replay.server import ReplaySite

PAGES = Path(__file__).parent / "fixtures" / "pages"
FAST = {"LSO_MIN_DELAY": "0"}  # the replay asks for 0.01 s; the default floor is 1 s


def invoke(base_url: str, *line: str) -> Any:
    return CliRunner().invoke(app, ["--base-url", base_url, "probe", *line], env=FAST)


def field(report: dict[str, Any], name: str) -> dict[str, Any]:
    return next(f for f in report["fields"] if f["field"] == name)


def hit(entry: dict[str, Any], rule: str, group: str) -> dict[str, Any]:
    return next(h for h in entry["hits"] if h["rule"] == rule and h["group"] == group)


def first(corpus: Corpus, layout: str) -> CorpusArticle:
    return next(a for a in corpus.articles if a.layout == layout)


def test_probe_of_a_current_page_shows_every_rule_and_the_winner(
    corpus: Corpus, replay: ReplaySite
) -> None:
    article = first(corpus, "current")
    result = invoke(replay.base_url, article.path, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["layout"], report["record"]["status"]) == ("current", "ok")
    assert report["detectors"] == [
        ["current", "div#content-detail", True],
        ["legacy", "div.content p", False],
    ]
    headline = field(report, "headline")
    assert (headline["winner"], headline["value"]) == ("current:h1.name", article.headline)
    assert hit(headline, "current:h1.name", "current")["value"] == article.headline
    assert hit(headline, "fallback:h1", "fallback")["matches"] == 1  # the fallback is shown too
    date = field(report, "published_at")
    visible = hit(date, "current:div.date", "current")
    assert visible["matches"] == 1 and visible["note"] == article.published_at.isoformat()
    assert date["value"] == article.published_at.isoformat()
    assert field(report, "authors")["value"] == list(article.authors)
    # Politeness: robots.txt first, then the page, once.
    assert replay.requests == [("GET", "/robots.txt"), ("GET", article.path)]


def test_probe_text_marks_the_winning_rule(corpus: Corpus, replay: ReplaySite) -> None:
    article = first(corpus, "legacy")
    # A real-site URL is fetched from the configured base (a mirror, here the replay).
    result = invoke(replay.base_url, "https://baolangson.vn" + article.path)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == replay.base_url + article.path
    assert "layout used: legacy" in lines[2]
    assert (
        f"headline: legacy:h1.title -> {json.dumps(article.headline, ensure_ascii=False)}" in lines
    )
    assert any(line.startswith("  * legacy   legacy:h1.title") for line in lines)
    assert any(line.startswith("  - metadata meta:article:published_time") for line in lines)
    assert any(line.startswith("  * legacy   legacy:p.post-date") for line in lines)


def test_robots_disallowed_page_is_never_requested(corpus: Corpus) -> None:
    article = first(corpus, "current")
    with ReplaySite(corpus, extra_disallow=(article.path,)) as site:
        result = invoke(site.base_url, article.path)
        assert site.count(article.path) == 0
    assert result.exit_code == 5
    assert "robots.txt" in result.stderr and "disallows" in result.stderr
    assert result.stdout == ""


def test_fetch_failure_is_reported(replay: ReplaySite) -> None:
    result = invoke(replay.base_url, "/khong-co-bai-nay-5099999.html")
    assert result.exit_code == 6
    assert result.stderr.strip() == "fetch failed (http_error): HTTP 404"


def fixture_page(case: str) -> RawPage:
    spec = json.loads((PAGES / f"{case}.json").read_text(encoding="utf-8"))["page"]
    content = (PAGES / f"{case}.html").read_bytes()
    fetched = datetime.fromisoformat(spec["fetched_at"])
    return RawPage(spec["url"], spec["url"], spec["status"], spec["headers"], content, fetched)


def by_name(report: Probe, name: str) -> FieldProbe:
    return next(f for f in report.fields if f.field == name)


def test_probe_shows_why_a_date_lost() -> None:
    report = probe_page(fixture_page("current_header_div_date"))
    date = by_name(report, "published_at")
    assert date.winner == "current:div.date"
    visible = next(h for h in date.hits if h.rule == "current:div.date")
    assert visible.matches == 2  # the header's "today" and the article's own date
    assert "fetch day" in visible.note and "2025-03-15T21:15:00+07:00" in visible.note


def test_probe_of_a_redesigned_page_shows_the_fallback_at_work() -> None:
    report = probe_page(fixture_page("fallback_redesign_time"))
    assert report.layout == "fallback"
    assert [d[2] for d in report.detectors] == [False, False]
    body = by_name(report, "body")
    assert body.winner == "fallback:trafilatura"
    assert [h.group for h in body.hits] == ["fallback"]  # no second view of the same layout
    assert str(body.hits[0].value).startswith("body: 4 paragraphs, ")  # trafilatura's HTML
    authors = by_name(report, "authors")
    assert authors.hits[-1].group == "text" and authors.hits[-1].rule == "body:trailing-byline"
    assert any("* metadata html:time[datetime]" in line for line in render(report))


def test_probe_is_total_on_a_page_that_is_no_article() -> None:
    report = probe_page(fixture_page("listing_home_summaries"))
    assert report.record["status"] == "not_article"
    assert all(f.winner is None for f in report.fields)
    assert (
        render(report)[3]
        == "  record: not_article (listing page: links to articles, no article body)"
    )
    assert json.loads(json.dumps(as_dict(report)))["record"]["status"] == "not_article"


@pytest.mark.parametrize("where", ["closed-port", "unresolvable"])
def test_probe_of_an_unreachable_site_exits_6_with_the_cause(corpus: Corpus, where: str) -> None:
    """Our own network or a dead host is not the publisher's refusal (exit 5, robots.txt)."""
    if where == "closed-port":
        with socket.socket() as probe:  # bound, then released: nothing listens on it
            probe.bind(("127.0.0.1", 0))
            base, cause = f"http://127.0.0.1:{probe.getsockname()[1]}", "connection refused"
    else:
        base, cause = "http://lso-test.invalid", "DNS lookup failed ("
    result = invoke(base, first(corpus, "current").path)
    assert result.exit_code == 6
    assert result.stderr.strip().startswith(
        f"fetch failed (gave_up): {base.removeprefix('http://')} unreachable: {cause}"
    )
    assert "robots.txt" not in result.stderr and result.stdout == ""
