-- An article id has one current row, one search shadow, and no two versions with one number.
with
current_rows as (
    select 'articles' as in_table, article_id, count(*) as copies
    from articles
    group by all
    having count(*) > 1
),

shadows as (
    select 'article_search' as in_table, article_id, count(*) as copies
    from article_search
    group by all
    having count(*) > 1
),

versions as (
    select 'article_versions' as in_table, article_id || ' v' || version as article_id, count(*) as copies
    from article_versions
    group by article_id, version
    having count(*) > 1
)

select * from current_rows
union all
select * from shadows
union all
select * from versions;
