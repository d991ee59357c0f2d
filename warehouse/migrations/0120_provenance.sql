-- Where each record came from (issue 15): the site itself, or a web archive's copy of it.
-- `source` already names the wire-service credit, so the column is `fetched_from`.
alter table articles add column fetched_from varchar default 'site';
alter table articles add column capture_time timestamptz;
alter table articles add column capture_url varchar;
alter table article_versions add column fetched_from varchar default 'site';
alter table article_versions add column capture_time timestamptz;
alter table article_versions add column capture_url varchar;
alter table fetches add column fetched_from varchar default 'site';
alter table fetches add column capture_time timestamptz;
alter table fetches add column capture_url varchar;
alter table runs add column fetched_from varchar default 'site';
comment on column articles.fetched_from is '''site'' (the publisher''s server), ''wayback'' (the Internet Archive''s Wayback Machine) or ''commoncrawl''.';
comment on column articles.capture_time is 'When the archive captured the page (UTC); null for the site. Not the publication time: a capture can come years later.';
comment on column articles.capture_url is 'The archive''s copy that was read (a Wayback id_ URL, or a Common Crawl WARC file); null for the site.';
comment on column article_versions.fetched_from is 'Where this version was read: site, wayback or commoncrawl.';
comment on column fetches.fetched_from is 'Where the page was read: site, wayback or commoncrawl.';
comment on column runs.fetched_from is 'The source the run read: site, wayback, commoncrawl or auto (the site where its robots.txt allows, else the archives).';
comment on column article_versions.capture_time is 'When the archive captured the page this version was read from (UTC); null for the site.';
comment on column article_versions.capture_url is 'The archive''s copy this version was read from; null for the site.';
comment on column fetches.capture_time is 'When the archive captured the page (UTC); null for the site.';
comment on column fetches.capture_url is 'The archive''s copy that was requested (a Wayback id_ URL, or a Common Crawl WARC file); null for the site.';
