"""robots.txt, sitemaps and the RSS feed of the replay site. Pure text from the corpus.

Sitemap and feed entries name the real host, as the real site's would; the crawler re-homes
their paths onto the base URL it was given. The sitemap index names the serving host, because
that is where the monthly sitemaps live.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from email.utils import format_datetime

from lso_etl.replay.chrome import CANONICAL, esc
from lso_etl.replay.model import CorpusArticle, CorpusView

RSS_ITEMS = 30
XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def render_robots(
    sitemap_base: str | None, crawl_delay: float, extra_disallow: tuple[str, ...] = ()
) -> str:
    """robots.txt; it names the sitemap index at `sitemap_base`, unless the site has none."""
    disallow = ["/admin/", "/tim-kiem", *extra_disallow]
    lines = ["User-agent: *", f"Crawl-delay: {crawl_delay:g}"]
    lines += [f"Disallow: {path}" for path in disallow]
    if sitemap_base is not None:
        lines += ["", f"Sitemap: {sitemap_base.rstrip('/')}/sitemap.xml"]
    return "\n".join(lines) + "\n"


def render_sitemap_index(corpus: CorpusView, base_url: str) -> str:
    base = base_url.rstrip("/")
    entries = "".join(
        f"<sitemap><loc>{base}/sitemaps/{month}.xml</loc>"
        f"<lastmod>{items[-1].published_at.isoformat()}</lastmod></sitemap>\n"
        for month, items in corpus.by_month.items()
    )
    return f'{XML_HEAD}<sitemapindex xmlns="{SITEMAP_NS}">\n{entries}</sitemapindex>\n'


def render_month_sitemap(items: Sequence[CorpusArticle]) -> str:
    """One month's sitemap: the articles `Corpus.by_month` gives for it."""
    entries = "".join(
        f"<url><loc>{CANONICAL}{a.path}</loc><lastmod>{a.published_at.isoformat()}</lastmod></url>\n"
        for a in items
    )
    return f'{XML_HEAD}<urlset xmlns="{SITEMAP_NS}">\n{entries}</urlset>\n'


def render_chain_index(base_url: str, n: int) -> str:
    """Link n of an endless chain of sitemap indexes, each naming only the next (`?n=n+1`): what
    a broken or hostile site can serve. A crawler must stop within its depth budget."""
    loc = f"{base_url.rstrip('/')}/sitemap.xml?n={n + 1}"
    entry = f"<sitemap><loc>{loc}</loc></sitemap>\n"
    return f'{XML_HEAD}<sitemapindex xmlns="{SITEMAP_NS}">\n{entry}</sitemapindex>\n'


SPEC_MAX_URLS = 50_000  # the sitemaps.org limit per file
SPEC_FIRST_ID = 7_000_000  # above the corpus's ids: these pages are listed, never served


def render_spec_sitemap(count: int, day: date) -> str:
    """A urlset of `count` article URLs (up to the spec's 50,000: about 6 MB), all dated `day`."""
    stamp = f"{day.isoformat()}T08:00:00+07:00"
    entries = "".join(
        f"<url><loc>{CANONICAL}/tin-tuc-tong-hop-lang-son-{SPEC_FIRST_ID + i}.html</loc>"
        f"<lastmod>{stamp}</lastmod><changefreq>never</changefreq></url>\n"
        for i in range(min(count, SPEC_MAX_URLS))
    )
    return f'{XML_HEAD}<urlset xmlns="{SITEMAP_NS}">\n{entries}</urlset>\n'


def render_rss(corpus: CorpusView) -> str:
    newest = corpus.articles[::-1][:RSS_ITEMS]
    items = "".join(
        f"<item><title>{esc(a.headline)}</title><link>{CANONICAL}{a.path}</link>"
        f'<guid isPermaLink="true">{CANONICAL}{a.path}</guid>'
        f"<pubDate>{format_datetime(a.published_at)}</pubDate></item>\n"
        for a in newest
    )
    return (
        f'{XML_HEAD}<rss version="2.0"><channel>\n<title>Báo Lạng Sơn - Trang chủ</title>'
        f"<link>{CANONICAL}/</link><description>Tin tức mới nhất của Báo Lạng Sơn</description>"
        f"<language>vi</language><lastBuildDate>{format_datetime(newest[0].published_at)}"
        f"</lastBuildDate>\n{items}</channel></rss>\n"
    )
