"""Which captures a web archive holds of the replay corpus: a pure, seeded plan, no sockets.

Spread the way real captures are (what the Wayback Machine holds of a provincial paper):
most pages captured within days of publication, some only years later, some several times
with the story edited between captures, some captures broken (an archived redirect, a soft
404 or an error page recorded with status 200), and some articles never captured at all.
The same page is captured under http and https, with and without `www.`, sometimes with a
tracking query: one article, many URL strings.

Common Crawl obeys robots.txt and samples a site, so its plan holds fewer articles, each
captured once or twice, at crawl times only (a crawl a month).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from lso_etl.replay.model import CorpusArticle, CorpusView

# kind: what the archived response is. "article" and "edited" show the story (edited: one
# more paragraph); the rest are not the article although most are recorded with status 200.
ARTICLE_KINDS = ("article", "edited")
BROKEN_KINDS = ("soft404", "error", "redirect")


@dataclass(frozen=True)
class Capture:
    article_id: str
    original: str  # the URL as it was captured: scheme, host and query vary
    timestamp: str  # 14 digits, UTC: the archive's capture time
    kind: str  # article | edited | soft404 | error | redirect
    path: str  # the corpus article's path (what the page shows)

    @property
    def status(self) -> int:
        return 301 if self.kind == "redirect" else 200

    @property
    def when(self) -> datetime:
        return datetime.strptime(self.timestamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y%m%d%H%M%S")


def _original(rng: random.Random, path: str) -> str:
    scheme = rng.choice(("http", "https"))
    host = rng.choice(("baolangson.vn", "www.baolangson.vn"))
    query = "?zarsrc=31&utm_source=zalo" if rng.random() < 0.1 else ""
    return f"{scheme}://{host}{path}{query}"


def wayback_plan(corpus: CorpusView, seed: int = 1996) -> tuple[Capture, ...]:
    """The Wayback Machine's captures of the corpus, in (article, time) order."""
    rng = random.Random(seed)
    captures: list[Capture] = []
    for article in corpus.articles:
        draw = rng.random()
        if draw < 0.08:  # never captured
            continue
        first = _first_capture(rng, article, late=draw < 0.2)
        plan = []
        if rng.random() < 0.08:  # a broken capture comes first (still within days)
            broken_at = first - timedelta(hours=rng.randint(1, 20))
            plan.append((broken_at, rng.choice(BROKEN_KINDS)))
        plan.append((first, "article"))
        if rng.random() < 0.25:  # captured again later, edited in between
            again = first + timedelta(days=rng.randint(2, 900))
            plan.append((again, "edited"))
        for when, kind in plan:
            captures.append(
                Capture(article.article_id, _original(rng, article.path), _stamp(when), kind,
                        article.path)
            )  # fmt: skip
    return tuple(captures)


def _first_capture(rng: random.Random, article: CorpusArticle, late: bool) -> datetime:
    """Within days of publication, or (late) one to six years after."""
    if late:
        return article.published_at + timedelta(days=rng.randint(365, 6 * 365), hours=3)
    return article.published_at + timedelta(hours=rng.randint(2, 5 * 24))


def commoncrawl_plan(corpus: CorpusView, seed: int = 2008) -> tuple[Capture, ...]:
    """Common Crawl's captures: about half the articles, at monthly crawl times."""
    rng = random.Random(seed)
    captures: list[Capture] = []
    for article in corpus.articles:
        if rng.random() < 0.5:
            continue
        crawl_day = crawl_start(article.published_at + timedelta(days=rng.randint(3, 40)))
        kind = "soft404" if rng.random() < 0.05 else "article"
        when = crawl_day + timedelta(hours=rng.randint(0, 200))
        captures.append(
            Capture(article.article_id, _original(rng, article.path), _stamp(when), kind,
                    article.path)
        )  # fmt: skip
    return tuple(captures)


def crawl_start(when: datetime) -> datetime:
    """The start of the monthly crawl that follows `when`: the 1st of the next month, UTC."""
    year, month = (when.year + 1, 1) if when.month == 12 else (when.year, when.month + 1)
    return datetime(year, month, 1, tzinfo=UTC)


def crawl_id(start: datetime) -> str:
    """Common Crawl names crawls by ISO year and week: CC-MAIN-2017-26."""
    year, week, _ = start.isocalendar()
    return f"CC-MAIN-{year}-{week:02d}"
