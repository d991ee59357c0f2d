-- 0100: crawl state (issue 4): the raw-archive index, the frontier, and what each discovery
-- document listed. (`fetches`, one row per candidate URL, is 0002's; its warc_file and
-- warc_offset are filled from archive_records.) Numbered high so it never collides with the
-- other 00NN migrations. Append-only: never edit once applied; add 0101_... instead.

create table archive_records (
    warc_file     varchar not null,     -- under warehouse/raw/ (LSO_RAW_DIR)
    warc_offset   bigint not null,      -- byte offset of the response record's gzip member
    warc_length   bigint not null,
    run_id        varchar not null,
    url           varchar not null,     -- the URL of this request (each redirect hop is a record)
    requested_url varchar not null,     -- what the crawler asked for first
    article_id    varchar,              -- when the URL is an article: 'new:5071654'
    kind          varchar not null,     -- robots | article | discovery
    status        integer not null,     -- every response is archived: 200, 304, 404, 503 ...
    fetched_at    timestamptz not null,
    elapsed_ms    integer,
    bytes         bigint not null,      -- body size, inflated
    sha256        varchar not null,     -- of the body as archived (fetches.sha256 joins here)
    etag          varchar,
    last_modified varchar,
    primary key (warc_file, warc_offset)
);
comment on table archive_records is 'The raw archive index: every HTTP response of every run, and where its WARC record lies. fetches (one row per candidate URL) points into it.';

create table frontier (
    article_id   varchar primary key,   -- candidates are de-duplicated on the article id
    url          varchar not null,
    seen_date    date,                  -- the date discovery saw (sitemap lastmod, listing time)
    found_by     varchar,
    state        varchar not null,      -- pending | archived | done | retry | blocked
    attempts     integer not null,      -- HTTP requests spent on it, all runs together
    next_try     timestamptz,           -- retry: not before this time
    last_outcome varchar,               -- the terminal outcome of its last run
    last_detail  varchar,
    last_run_id  varchar,
    updated_at   timestamptz not null
);
comment on table frontier is 'Crawl state per article URL, across runs: what a killed or failed run resumes from.';

create table discovery_cache (
    url           varchar primary key,  -- a sitemap, feed or listing page
    etag          varchar,
    last_modified varchar,
    children      json not null,        -- [[url, date], ...]: child sitemaps
    pages         json not null,        -- [[url, date], ...]: article links
    fetched_at    timestamptz not null
);
comment on table discovery_cache is 'Validators and entries of discovery documents: a 304 answer costs no parsing.';
