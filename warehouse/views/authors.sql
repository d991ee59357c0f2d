-- One row per author identity: spellings that differ only in case or tone placement
-- ("Thuỳ Linh" / "Thùy Linh") are one person; accents otherwise keep people apart.
create or replace view authors as
with
credits as (
    select
        article_authors.author_key,
        article_authors.name,
        articles.article_id,
        articles.published_at
    from article_authors
    join articles using (article_id)
)

select
    author_key,
    mode(name) as name,
    list_sort(list(distinct name)) as name_variants,
    count(distinct article_id) as articles,
    arg_min(article_id, published_at) as first_article_id,
    min(published_at) as first_published_at,
    arg_max(article_id, published_at) as last_article_id,
    max(published_at) as last_published_at
from credits
group by author_key
order by articles desc, author_key;

comment on view authors is 'One row per normalised author identity, with its spellings, article count and first and last article.';
comment on column authors.author_key is 'Identity: NFC, lower case, one tone placement, accents kept (article_authors.author_key).';
comment on column authors.name is 'The most used spelling.';
comment on column authors.name_variants is 'Every spelling seen, sorted.';
comment on column authors.articles is 'Current articles credited to this author.';
comment on column authors.first_article_id is 'Earliest published article credited.';
comment on column authors.first_published_at is 'Its publish instant.';
comment on column authors.last_article_id is 'Latest published article credited.';
comment on column authors.last_published_at is 'Its publish instant.';
