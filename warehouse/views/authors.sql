-- One row per author identity: spellings that differ in case, accents or tone placement
-- ("Thuy Linh" / "Thùy Linh" / "Thuỳ Linh") are one; with a kind from the author_kinds list.
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
),

spellings as (
    select distinct author_key, name, lower(nfc_normalize(name)) as lowered
    from article_authors
),

classified as (
    select
        spellings.author_key,
        -- 'wire' sorts after 'institution': when spellings disagree, the wire wins
        coalesce(max(author_kinds.kind), 'person') as kind
    from spellings
    left join author_kinds
        on (author_kinds.pattern = 'name' and spellings.lowered = author_kinds.match)
        or (author_kinds.pattern = 'prefix' and starts_with(spellings.lowered, author_kinds.match))
        or (author_kinds.pattern = 'suffix' and ends_with(spellings.lowered, author_kinds.match))
    group by spellings.author_key
)

select
    credits.author_key,
    classified.kind,
    mode(credits.name) as name,
    list_sort(list(distinct credits.name)) as name_variants,
    count(distinct credits.article_id) as articles,
    arg_min(credits.article_id, credits.published_at) as first_article_id,
    min(credits.published_at) as first_published_at,
    arg_max(credits.article_id, credits.published_at) as last_article_id,
    max(credits.published_at) as last_published_at
from credits
join classified using (author_key)
group by credits.author_key, classified.kind
order by articles desc, credits.author_key;

comment on view authors is 'One row per author identity (accent-free key), with its kind, spellings, article count and first and last article.';
comment on column authors.author_key is 'Identity: lower case, accents and tones stripped, đ -> d (article_authors.author_key): ''Thuy Linh'' and ''Thùy Linh'' are one.';
comment on column authors.kind is '''person'', ''institution'' (BBT, PV, CTV, Nhóm PV, another paper ...) or ''wire'' (TTXVN, Reuters ...), from the author_kinds list; a wire wins over an institution when spellings disagree.';
comment on column authors.name is 'The most used spelling.';
comment on column authors.name_variants is 'Every spelling seen, sorted.';
comment on column authors.articles is 'Current articles credited to this author.';
comment on column authors.first_article_id is 'Earliest published article credited.';
comment on column authors.first_published_at is 'Its publish instant.';
comment on column authors.last_article_id is 'Latest published article credited.';
comment on column authors.last_published_at is 'Its publish instant.';
