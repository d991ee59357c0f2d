-- 0135: runs.origin says whether a run's data came from a replay on this machine or from the
-- real world (hostile review, stop 23). base_url alone said 'live' for a run that read the
-- site's URLs from a replay web archive, so replay captures could join a warehouse of live
-- runs. Runs recorded before this migration keep NULL: their origin is read from base_url, as
-- it was. Append-only: never edit this file once applied.

alter table runs add column origin varchar;

comment on column runs.origin is 'replay when the site or a web archive the run read is on this machine (loopback), else live; replay and live runs never share a warehouse. NULL before migration 0135: read from base_url.';
