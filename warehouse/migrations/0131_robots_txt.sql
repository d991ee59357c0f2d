-- 0131: robots.txt kept across runs (issue 13). RFC 9309 lets a crawler use a robots.txt it
-- has read for up to 24 hours: a run within that time of the last one does not ask again,
-- and a later one asks conditionally (If-None-Match / If-Modified-Since). Append-only: never
-- edit this file once applied.

create table robots_txt (
    url           varchar primary key,
    body          varchar not null,
    etag          varchar,
    last_modified varchar,
    fetched_at    timestamptz not null
);

comment on table robots_txt is 'The last robots.txt read from each site: used without a request for 24 hours after fetched_at (RFC 9309), then asked for again with its validators.';
comment on column robots_txt.url is 'The robots.txt URL (base URL + /robots.txt).';
comment on column robots_txt.body is 'Its text as read (UTF-8); empty when it answered 4xx, which RFC 9309 reads as no restrictions. A robots.txt that could not be read is never kept.';
comment on column robots_txt.etag is 'ETag of the response it came in, sent back as If-None-Match.';
comment on column robots_txt.last_modified is 'Last-Modified of that response, sent back as If-Modified-Since.';
comment on column robots_txt.fetched_at is 'When it was read, or last confirmed by a 304 (stored in UTC).';
