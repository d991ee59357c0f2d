-- The versions of one article follow each other: validity ranges never overlap, every
-- range ends after it starts, and exactly the current row is open (valid_to is null).
with
pairs as (
    select
        earlier.article_id,
        earlier.version,
        later.version as other_version,
        'ranges overlap' as problem
    from article_versions as earlier
    join article_versions as later
        on later.article_id = earlier.article_id
        and later.version > earlier.version
    where coalesce(earlier.valid_to, 'infinity'::timestamptz) > later.valid_from
        and coalesce(later.valid_to, 'infinity'::timestamptz) > earlier.valid_from
),

backwards as (
    select article_id, version, null::integer as other_version, 'ends before it starts' as problem
    from article_versions
    where valid_to < valid_from
),

current_mismatch as (
    select articles.article_id, articles.version, null::integer as other_version,
        'current row is not the open version' as problem
    from articles
    left join article_versions as open_version
        on open_version.article_id = articles.article_id
        and open_version.valid_to is null
    where open_version.version is distinct from articles.version
        or open_version.content_hash is distinct from articles.content_hash
)

select * from pairs
union all
select * from backwards
union all
select * from current_mismatch;
