-- Per day of parsing: which layout and which rule produced each field, and how many pages
-- were quarantined. A rising 'fallback', 'quarantined' or 'missing' share is the sign that
-- the site changed its layout.
create or replace view data_quality as
with
parsed as (
    select
        cast(timezone('Asia/Ho_Chi_Minh', article_versions.valid_from) as date) as day,
        articles.layout,
        articles.provenance
    from articles
    join article_versions
        on article_versions.article_id = articles.article_id
        and article_versions.valid_to is null
),

quarantined as (
    select cast(timezone('Asia/Ho_Chi_Minh', fetched_at) as date) as day, count(*) as pages
    from quarantine
    where stage = 'parse'
    group by all
),

fields as (
    select distinct unnest(map_keys(provenance)) as field
    from parsed
),

layouts as (
    select day, 'layout' as measure, layout as value, count(*) as records
    from parsed
    group by all
    union all
    select day, 'layout' as measure, 'quarantined' as value, pages as records
    from quarantined
),

provenances as (
    select
        parsed.day,
        fields.field as measure,
        coalesce(parsed.provenance[fields.field], 'missing') as value,
        count(*) as records
    from parsed
    cross join fields
    group by all
),

measured as (
    select * from layouts
    union all
    select * from provenances
)

select
    measured.day,
    measured.measure,
    measured.value,
    measured.records,
    round(measured.records / sum(measured.records) over (partition by measured.day, measured.measure), 4) as share,
    coalesce(quarantined.pages, 0) as quarantined
from measured
left join quarantined using (day)
order by measured.day, measured.measure, measured.records desc, measured.value;

comment on view data_quality is 'Per parse day: share of records by layout (quarantined pages included) and by the rule that produced each field; quarantine count.';
comment on column data_quality.day is 'Day the current version was parsed (Vietnam time), or the quarantined page fetched.';
comment on column data_quality.measure is '''layout'', or a field name (headline, body, published_at, ...) for its provenance.';
comment on column data_quality.value is 'Layout name (or ''quarantined''), or the rule that produced the field (''missing'' when none did).';
comment on column data_quality.records is 'Records (pages for layout) that day with this value.';
comment on column data_quality.share is 'records over all records of the day for this measure (0..1).';
comment on column data_quality.quarantined is 'Pages quarantined at the parse stage that day.';
