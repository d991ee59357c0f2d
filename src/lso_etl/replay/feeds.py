"""robots.txt, sitemaps and the RSS feed of the replay site. Pure text from the corpus.

Sitemap and feed entries name the real host, as the real site's would; the crawler re-homes
their paths onto the base URL it was given. The sitemap index names the serving host, because
that is where the monthly sitemaps live.
"""

from __future__ import annotations

from email.utils import format_datetime

from lso_etl.replay.chrome import CANONICAL, esc
from lso_etl.replay.model import Corpus, CorpusArticle

RSS_ITEMS = 30
XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def render_robots(base_url: str, crawl_delay: float, extra_disallow: tuple[str, ...] = ()) -> str:
    disallow = ["/admin/", "/tim-kiem", *extra_disallow]
    lines = ["User-agent: *", f"Crawl-delay: {crawl_delay:g}"]
    lines += [f"Disallow: {path}" for path in disallow]
    lines += ["", f"Sitemap: {base_url.rstrip('/')}/sitemap.xml"]
    return "\n".join(lines) + "\n"


def render_sitemap_index(corpus: Corpus, base_url: str) -> str:
    base = base_url.rstrip("/")
    entries = "".join(
        f"<sitemap><loc>{base}/sitemaps/{month}.xml</loc>"
        f"<lastmod>{items[-1].published_at.isoformat()}</lastmod></sitemap>\n"
        for month, items in corpus.by_month.items()
    )
    return f'{XML_HEAD}<sitemapindex xmlns="{SITEMAP_NS}">\n{entries}</sitemapindex>\n'


def render_month_sitemap(items: tuple[CorpusArticle, ...]) -> str:
    """One month's sitemap: the articles `Corpus.by_month` gives for it."""
    entries = "".join(
        f"<url><loc>{CANONICAL}{a.path}</loc><lastmod>{a.published_at.isoformat()}</lastmod></url>\n"
        for a in items
    )
    return f'{XML_HEAD}<urlset xmlns="{SITEMAP_NS}">\n{entries}</urlset>\n'


def render_rss(corpus: Corpus) -> str:
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
