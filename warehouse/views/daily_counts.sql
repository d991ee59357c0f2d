create or replace view daily_counts as
with dated as (
    select cast(timezone('Asia/Ho_Chi_Minh', published_at) as date) as day, section
    from articles
    where published_at is not null
)
select day, section, count(*) as articles
from dated
group by all
order by day, section;
