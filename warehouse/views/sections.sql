-- Sections with their size, span and authorship.
create or replace view sections as
with
per_section as (
    select
        coalesce(section, '(none)') as section,
        count(*) as articles,
        min(published_at) as first_published_at,
        max(published_at) as last_published_at,
        round(avg(word_count)) as average_words
    from articles
    group by all
),

signed as (
    select coalesce(articles.section, '(none)') as section, count(distinct author_key) as authors
    from articles
    join article_authors using (article_id)
    group by all
)

select
    per_section.section,
    per_section.articles,
    round(per_section.articles / sum(per_section.articles) over (), 4) as share,
    coalesce(signed.authors, 0) as authors,
    per_section.average_words,
    per_section.first_published_at,
    per_section.last_published_at
from per_section
left join signed using (section)
order by per_section.articles desc, per_section.section;

comment on view sections is 'One row per section: articles, share of all articles, authors, length and time span.';
comment on column sections.section is 'Section name; ''(none)'' for articles without one.';
comment on column sections.articles is 'Current articles in the section.';
comment on column sections.share is 'Share of all current articles (0..1).';
comment on column sections.authors is 'Distinct author identities who signed in the section.';
comment on column sections.average_words is 'Mean word_count.';
comment on column sections.first_published_at is 'Earliest publish instant.';
comment on column sections.last_published_at is 'Latest publish instant.';
