-- The newest articles first: the view to open first.
create or replace view latest_articles as
select article_id, published_at, section, headline, authors, url, word_count, version
from articles
order by published_at desc nulls last;

comment on view latest_articles is 'Current articles, newest publish time first.';
comment on column latest_articles.article_id is 'Article id (articles.article_id).';
comment on column latest_articles.published_at is 'Publish instant, shown in Asia/Ho_Chi_Minh.';
comment on column latest_articles.section is 'Section name.';
comment on column latest_articles.headline is 'Headline as published.';
comment on column latest_articles.authors is 'Authors, title-cased.';
comment on column latest_articles.url is 'Canonical URL.';
comment on column latest_articles.word_count is 'Words in sapo and body (articles.word_count).';
comment on column latest_articles.version is 'Current version number (above 1: the article was edited).';
