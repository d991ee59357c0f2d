-- 0001: the first schema. Append-only: never edit an applied migration, add a new file.

create table articles (
    article_id      varchar primary key,  -- generation-qualified: 'new:5071654' | 'old:310783'
    url             varchar not null,     -- canonical https://baolangson.vn/... URL
    headline        varchar not null,
    sapo            varchar,
    dateline        varchar,
    body            varchar not null,
    authors         varchar[] not null,
    source          varchar,
    captions        varchar[] not null,
    images          struct(src varchar, caption varchar)[] not null,
    published_at    timestamptz,
    modified_at     timestamptz,
    section         varchar,
    tags            varchar[] not null,
    layout          varchar not null,
    provenance      map(varchar, varchar) not null,
    word_count      integer not null,
    content_hash    varchar not null,
    parser_version  varchar not null,
    first_seen_at   timestamptz not null,
    last_fetched_at timestamptz not null,
    version         integer not null,
    run_id          varchar not null
);
comment on table articles is 'One row per article id: its current version.';

create table article_versions (
    article_id   varchar not null,
    version      integer not null,
    content_hash varchar not null,
    headline     varchar not null,
    sapo         varchar,
    body         varchar not null,
    valid_from   timestamptz not null,
    valid_to     timestamptz,           -- null: the current version
    run_id       varchar not null,
    primary key (article_id, version)
);
comment on table article_versions is 'Every distinct content an article has had (type-2 history).';

create table runs (
    run_id         varchar primary key,
    flow           varchar not null,     -- 'backfill' | 'daily'
    parameters     json,
    base_url       varchar not null,
    respect_robots boolean not null,
    parser_version varchar not null,
    started_at     timestamptz not null,
    finished_at    timestamptz,
    status         varchar not null,     -- 'running' | 'completed' | 'failed'
    counts         map(varchar, integer),
    requests       integer,
    bytes_fetched  bigint
);
comment on table runs is 'One row per flow run, with per-outcome counts.';

create table url_outcomes (
    run_id      varchar not null,
    url         varchar not null,
    article_id  varchar,
    outcome     varchar not null,  -- loaded | unchanged | skipped | not_article | quarantined | robots_disallowed | http_error | gave_up
    detail      varchar,
    found_by    varchar,
    recorded_at timestamptz not null
);
comment on table url_outcomes is 'The terminal outcome of every candidate URL in every run.';

create table quarantine (
    url          varchar not null,
    article_id   varchar,
    run_id       varchar not null,
    stage        varchar not null,   -- 'parse'
    reason       varchar not null,
    status       integer,
    headers      json,
    raw_content  blob,               -- the response as received, so nothing is lost
    fetched_at   timestamptz not null
);
comment on table quarantine is 'Pages that failed to parse, with the reason and the raw response.';
