create or replace view latest_articles as
select article_id, published_at, section, headline, authors, url, word_count
from articles
order by published_at desc nulls last;
