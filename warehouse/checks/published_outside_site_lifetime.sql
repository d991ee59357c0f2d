-- A publish date before the site existed or after now (bounds: the site_lifetime view).
select articles.article_id, articles.published_at, articles.url
from articles
cross join site_lifetime
where articles.published_at < site_lifetime.earliest
    or articles.published_at > site_lifetime.latest;
