-- The span in which a baolangson.vn article can have been published: data for the data check
-- published_outside_site_lifetime. Earliest, from /work/shared/docs/site-notes.md: the older
-- CMS had ids near 300,000 in 2020-2021 at "tens of articles a day" (at most ~18,000 a year),
-- so it goes back to the mid-2000s at the earliest; the oldest public copies hold 2017 stories;
-- the date parser itself refuses years before 1990. 2000-01-01 leaves room for the unknown
-- start of the site and still catches typo years (1917, 1970). Latest: now plus a day of
-- leeway (a date after the fetch is the published_in_future check's, with an hour's leeway).
create or replace view site_lifetime as
select
    timestamptz '2000-01-01 00:00:00+07' as earliest,
    now() + interval 1 day as latest;

comment on view site_lifetime is 'When a baolangson.vn article can have been published: the bounds of the data check published_outside_site_lifetime (reasons in warehouse/views/site_lifetime.sql).';
comment on column site_lifetime.earliest is 'Earliest plausible publish instant: 2000-01-01 in Vietnam time.';
comment on column site_lifetime.latest is 'Latest plausible publish instant: now, plus a day.';
