-- Articles published per day (Vietnam time) and section.
create or replace view daily_counts as
with dated as (
    select
        cast(timezone('Asia/Ho_Chi_Minh', published_at) as date) as day,
        section
    from articles
    where published_at is not null
)

select day, section, count(*) as articles
from dated
group by all
order by day, section;

comment on view daily_counts is 'Articles published per day (Asia/Ho_Chi_Minh) and section.';
comment on column daily_counts.day is 'Publish day in Vietnam time.';
comment on column daily_counts.section is 'Section name (null when the page gave none).';
comment on column daily_counts.articles is 'Articles published that day in that section.';
