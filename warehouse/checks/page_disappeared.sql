-- Articles we hold whose page has since gone: the newest answer to a fetch of its URL was 404
-- (not found) or 410 (gone). The record stays (nothing is deleted); a person decides whether
-- the paper withdrew it.
with
answers as (
    select
        fetches.article_id,
        fetches.status,
        fetches.fetched_at,
        runs.started_at
    from fetches
    join runs using (run_id)
    where fetches.status is not null
),

newest as (
    select
        article_id,
        arg_max(status, (started_at, coalesce(fetched_at, started_at))) as status,
        max(started_at) as last_run_started_at
    from answers
    group by article_id
)

select articles.article_id, newest.status, newest.last_run_started_at, articles.url
from articles
join newest using (article_id)
where newest.status in (404, 410);
