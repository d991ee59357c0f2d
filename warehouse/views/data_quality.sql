-- What each run saw, per publish day: which layout and which rule produced each field of every
-- page it parsed (unchanged re-parses too: article_parses), how many fallback records lack a
-- field the site's own layouts always give, and how many pages it quarantined. A rising
-- 'fallback', 'quarantined', 'missing' or gap share in a run is the sign that the site changed
-- its layout; counting per run keeps a big backfill from diluting a small run's drift.
create or replace view data_quality as
with
parsed as (
    select
        run_id,
        cast(timezone('Asia/Ho_Chi_Minh', published_at) as date) as day,
        layout,
        provenance,
        fallback_gaps
    from article_parses
    union all
    -- A partial record is no parse (robots.txt forbade its page): the run that kept it counts it.
    select
        run_id,
        cast(timezone('Asia/Ho_Chi_Minh', published_at) as date) as day,
        layout,
        provenance,
        []::varchar[] as fallback_gaps
    from articles
    where status = 'partial'
),

quarantined as (
    select run_id, count(*) as pages
    from quarantine
    where stage = 'parse'
    group by all
),

fields as (
    select distinct unnest(map_keys(provenance)) as field
    from parsed
),

layouts as (
    select run_id, day, 'layout' as measure, layout as value, count(*) as records
    from parsed
    group by all
    union all
    select run_id, null::date as day, 'layout' as measure, 'quarantined' as value, pages as records
    from quarantined
),

provenances as (
    select
        parsed.run_id,
        parsed.day,
        fields.field as measure,
        coalesce(parsed.provenance[fields.field], 'missing') as value,
        count(*) as records
    from parsed
    cross join fields
    group by all
),

gaps as (
    select
        run_id,
        day,
        'fallback_gaps' as measure,
        case when len(fallback_gaps) = 0 then 'none' else 'missing ' || array_to_string(fallback_gaps, ', ') end as value,
        count(*) as records
    from parsed
    group by all
),

measured as (
    select * from layouts
    union all
    select * from provenances
    union all
    select * from gaps
)

select
    measured.run_id,
    measured.day,
    measured.measure,
    measured.value,
    measured.records,
    round(
        measured.records / sum(measured.records) over (partition by measured.run_id, measured.day, measured.measure),
        4
    ) as share,
    coalesce(quarantined.pages, 0) as quarantined
from measured
left join quarantined using (run_id)
order by measured.run_id, measured.day nulls last, measured.measure, measured.records desc, measured.value;

comment on view data_quality is 'Per run and publish day: pages parsed by layout (quarantined pages, which have no date, under a null day), the rule that produced each field, and the fallback records lacking a field the site''s layouts always give. Counts every parse of the run, unchanged re-parses too. Sum over day for a run''s totals.';
comment on column data_quality.run_id is 'Run that parsed the pages (runs.run_id).';
comment on column data_quality.day is 'Publish day of the parsed records (Vietnam time); null for records without a publish date and for quarantined pages.';
comment on column data_quality.measure is '''layout'', ''fallback_gaps'', or a field name (headline, body, published_at, ...) for its provenance.';
comment on column data_quality.value is 'Layout name: ''current'', ''legacy'', ''fallback'', ''partial'' (a record robots.txt kept us from reading, counted by the run that kept it), or ''quarantined''; ''none'' or ''missing authors, section'' for fallback_gaps; or the rule that produced the field (''missing'' when none did).';
comment on column data_quality.records is 'Pages the run parsed with this value, published that day.';
comment on column data_quality.share is 'records over all records of the run and day for this measure (0..1).';
comment on column data_quality.quarantined is 'Pages the run quarantined at the parse stage (all days).';
