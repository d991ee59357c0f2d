-- 0002: what analysts need: a comment on every table and column, the runs' profile version
-- and data-check counts, the fetch index, quarantine details, authors as rows, and the
-- search shadow with its postings. Append-only: never edit this file once applied.

-- runs: versions of what parsed the pages, and the data checks run at its end
alter table runs add column site_profile varchar;
alter table runs add column site_profile_version varchar;
alter table runs add column checks map(varchar, integer);
alter table runs add column checks_failed integer;

-- quarantine: the reason's detail and a pointer to the archived response
alter table quarantine add column detail varchar;
alter table quarantine add column sha256 varchar;
alter table quarantine add column warc_file varchar;
alter table quarantine add column warc_offset bigint;

create table fetches (
    run_id        varchar not null,
    url           varchar not null,
    final_url     varchar,
    article_id    varchar,
    status        integer,
    outcome       varchar,
    detail        varchar,
    requests      integer not null,
    bytes         bigint,
    sha256        varchar,
    content_type  varchar,
    fetched_at    timestamptz,
    warc_file     varchar,
    warc_offset   bigint
);

create table article_authors (
    article_id  varchar not null,
    position    integer not null,
    name        varchar not null,
    author_key  varchar not null,
    primary key (article_id, position)
);

create table article_search (
    article_id  varchar primary key,
    doc         varchar not null,
    doc_len     integer not null,
    indexed_at  timestamptz not null
);

create table search_terms (
    term        varchar not null,
    article_id  varchar not null,
    tf          integer not null,
    doc_len     integer not null
);

create table search_index (
    engine         varchar primary key,
    built_at       timestamptz not null,
    docs           bigint not null,
    indexed_through timestamptz
);

-- the data dictionary: every table and column says what it holds
comment on table schema_migrations is 'Migrations applied to this file, by file name (warehouse/migrations/NNNN_*.sql).';
comment on column schema_migrations.name is 'Migration file name, e.g. 0001_initial.sql.';
comment on column schema_migrations.applied_at is 'When the migration was applied.';

comment on table articles is 'One row per article id: its current version (the latest distinct content seen).';
comment on column articles.article_id is 'Stable id qualified by CMS generation: ''new:5071654'' (current CMS) or ''old:310783'' (legacy CMS).';
comment on column articles.url is 'Canonical https://baolangson.vn/... URL, whatever host served the page.';
comment on column articles.headline is 'Headline as published (NFC, cleaned of invisible characters).';
comment on column articles.sapo is 'Lead paragraph (sapo) without its dateline; null when the page has none.';
comment on column articles.dateline is 'Dateline tag cut from the lead, e.g. ''LSO''; null when none.';
comment on column articles.body is 'Body text: paragraphs joined by a blank line; no lead, captions, byline, source or related links.';
comment on column articles.authors is 'Authors, title-cased with acronyms kept (''Minh Đức'', ''Nhóm PV''); empty when unsigned.';
comment on column articles.source is 'Where a reprinted piece comes from (''TTXVN'', ''Báo Nhân Dân''); null for the paper''s own.';
comment on column articles.captions is 'Image captions, in page order, repeated captions dropped.';
comment on column articles.images is 'Images in page order: absolute src and caption (null when uncaptioned).';
comment on column articles.published_at is 'Publish instant (shown in Asia/Ho_Chi_Minh); null when the page gives none.';
comment on column articles.modified_at is 'Last-modified instant from the page metadata; null when absent.';
comment on column articles.section is 'Section name from the breadcrumb, e.g. ''Kinh tế''.';
comment on column articles.tags is 'Tags/keywords from the page metadata.';
comment on column articles.layout is 'Which page layout was recognised: ''current'', ''legacy'' or ''fallback'' (generic extraction).';
comment on column articles.provenance is 'Field name -> the rule that produced it (selector, metadata or fallback): layout drift shows here.';
comment on column articles.word_count is 'Words in headline, sapo and body.';
comment on column articles.content_hash is 'sha256 of the normalised content: a new hash is a new version.';
comment on column articles.parser_version is 'Version of the parser that produced this version.';
comment on column articles.first_seen_at is 'When this article id was first loaded.';
comment on column articles.last_fetched_at is 'When the page was last fetched, changed or not.';
comment on column articles.version is 'Version number: 1 for the first content, +1 for every edit seen.';
comment on column articles.run_id is 'Run that loaded the current version (runs.run_id).';

comment on table article_versions is 'Every distinct content (by content_hash) an article has had: type-2 history, current row has valid_to null.';
comment on column article_versions.article_id is 'Article (articles.article_id).';
comment on column article_versions.version is 'Version number, 1 upwards.';
comment on column article_versions.content_hash is 'sha256 of this version''s normalised content.';
comment on column article_versions.headline is 'Headline of this version.';
comment on column article_versions.sapo is 'Lead of this version.';
comment on column article_versions.body is 'Body of this version.';
comment on column article_versions.valid_from is 'When this content was first fetched.';
comment on column article_versions.valid_to is 'When a different content was first fetched; null for the current version.';
comment on column article_versions.run_id is 'Run that loaded this version.';

comment on table runs is 'One row per flow run: parameters, timing, status, per-outcome counts, politeness and versions.';
comment on column runs.run_id is 'Run id (12 hex digits).';
comment on column runs.flow is 'Flow name: ''daily'', ''backfill-chunk'', ...';
comment on column runs.parameters is 'The run''s parameters as JSON (window, high-water mark, ...).';
comment on column runs.base_url is 'Site crawled: the real one, a mirror or the local replay site.';
comment on column runs.respect_robots is 'Whether robots.txt was obeyed (false only with the publisher''s permission).';
comment on column runs.parser_version is 'Parser version used by the run.';
comment on column runs.started_at is 'When the run started.';
comment on column runs.finished_at is 'When the run ended; null while running (or if it died).';
comment on column runs.status is '''running'', ''completed'' or ''failed''.';
comment on column runs.counts is 'URLs per terminal outcome (loaded, unchanged, skipped, quarantined, http_error, ...).';
comment on column runs.requests is 'HTTP requests made.';
comment on column runs.bytes_fetched is 'Response bytes received.';
comment on column runs.site_profile is 'Site profile used to parse (name).';
comment on column runs.site_profile_version is 'Fingerprint of the site profile''s selectors: changes whenever a rule changes.';
comment on column runs.checks is 'Data check name -> offending rows after the run (warehouse/checks/*.sql).';
comment on column runs.checks_failed is 'How many data checks returned offending rows after the run.';

comment on table url_outcomes is 'The terminal outcome of every candidate URL in every run.';
comment on column url_outcomes.run_id is 'Run (runs.run_id).';
comment on column url_outcomes.url is 'URL as requested.';
comment on column url_outcomes.article_id is 'Article id the URL names.';
comment on column url_outcomes.outcome is 'loaded | unchanged | skipped | not_article | quarantined | robots_disallowed | http_error | gave_up.';
comment on column url_outcomes.detail is 'Why: ''new''/''updated'' for loaded, the HTTP status or last error, the parse failure.';
comment on column url_outcomes.found_by is 'Discovery strategy that found the URL (''sitemap'', ''listing:thoi-su'', ''rss'').';
comment on column url_outcomes.recorded_at is 'When the outcome was recorded.';

comment on table quarantine is 'Pages that failed to parse: reason, detail, the raw response and a pointer to its archived copy.';
comment on column quarantine.url is 'URL as requested.';
comment on column quarantine.article_id is 'Article id the URL names.';
comment on column quarantine.run_id is 'Run (runs.run_id).';
comment on column quarantine.stage is 'Stage that failed: ''parse''.';
comment on column quarantine.reason is 'Short reason, groupable (''no body container'', ''parser error'').';
comment on column quarantine.status is 'HTTP status of the response.';
comment on column quarantine.headers is 'Response headers as JSON.';
comment on column quarantine.raw_content is 'The response body as received, so nothing is lost.';
comment on column quarantine.fetched_at is 'When the page was fetched.';
comment on column quarantine.detail is 'Longer detail of the reason (exception text, offending value); null when none.';
comment on column quarantine.sha256 is 'sha256 of raw_content: the key of the response in the raw archive.';
comment on column quarantine.warc_file is 'WARC file of the raw archive holding the response; null until archived.';
comment on column quarantine.warc_offset is 'Byte offset of the response record in warc_file.';

comment on table fetches is 'One row per fetched candidate URL: the HTTP outcome and the index into the raw archive.';
comment on column fetches.run_id is 'Run (runs.run_id).';
comment on column fetches.url is 'URL as requested.';
comment on column fetches.final_url is 'URL after redirects; null when no response.';
comment on column fetches.article_id is 'Article id the URL names.';
comment on column fetches.status is 'HTTP status of the final response; null when none arrived.';
comment on column fetches.outcome is 'Fetch-level outcome when the fetch ended the URL''s journey (http_error, gave_up, robots_disallowed); null when a page was received.';
comment on column fetches.detail is 'Last error or reason for that outcome.';
comment on column fetches.requests is 'HTTP requests spent on this URL, retries included.';
comment on column fetches.bytes is 'Body bytes received.';
comment on column fetches.sha256 is 'sha256 of the body: the key of the response in the raw archive.';
comment on column fetches.content_type is 'Content-Type header of the response.';
comment on column fetches.fetched_at is 'When the response was received.';
comment on column fetches.warc_file is 'WARC file of the raw archive holding the response; null until archived.';
comment on column fetches.warc_offset is 'Byte offset of the response record in warc_file.';

comment on table article_authors is 'One row per author of each current article, with an identity key that merges spelling variants.';
comment on column article_authors.article_id is 'Article (articles.article_id).';
comment on column article_authors.position is 'Position in the byline, from 1.';
comment on column article_authors.name is 'Author as stored in articles.authors.';
comment on column article_authors.author_key is 'Identity: NFC, lower case, one tone placement (''Thuỳ''/''Thùy'' are one), accents kept.';

comment on table article_search is 'Search shadow of each current article: headline, sapo and body folded (lower case, no accents, đ -> d).';
comment on column article_search.article_id is 'Article (articles.article_id).';
comment on column article_search.doc is 'Folded words of headline, sapo and body, one space apart (see macro lso_fold).';
comment on column article_search.doc_len is 'Words in doc (BM25 document length).';
comment on column article_search.indexed_at is 'When this shadow was written: later than search_index.indexed_through means the fts index is stale.';

comment on table search_terms is 'Built-in inverted index (postings) of article_search, kept current at every load.';
comment on column search_terms.term is 'Folded word.';
comment on column search_terms.article_id is 'Article containing it.';
comment on column search_terms.tf is 'Times the word occurs in the article''s doc.';
comment on column search_terms.doc_len is 'The article''s doc_len, repeated here so ranking needs no join.';

comment on table search_index is 'State of each search index build (fts and the clustering of search_terms).';
comment on column search_index.engine is '''fts'' (DuckDB full-text extension) or ''builtin'' (search_terms).';
comment on column search_index.built_at is 'When the index was last rebuilt.';
comment on column search_index.docs is 'Documents indexed.';
comment on column search_index.indexed_through is 'Newest article_search.indexed_at covered by the build.';
