-- 0107 (issue 16): full history and drift that shows.
-- * article_versions keeps every field of the record, not only headline, sapo and body: a new
--   version is stored whenever any field of the record changes (an edit that drops the source
--   credit is a version). `subsection` is added here too (0106 adds it to articles): the loader
--   copies into article_versions every column the two tables share, so it flows in either way.
-- * article_parses: one row per page parsed into a record, loaded or unchanged, with the layout
--   and per-field provenance of THAT parse: data_quality counts what each run saw.
-- * article_authors.author_key becomes accent-free (lso_fold's string), so 'Thuy Linh' and
--   'Thùy Linh' are one author; `authors.kind` comes from the author_kinds view (data).
-- * fetches.status of a page that ended as 'HTTP 404' etc. before the fetcher kept it: from detail.
-- Append-only: never edit this file once applied.

alter table article_versions add column url varchar;
alter table article_versions add column dateline varchar;
alter table article_versions add column authors varchar[];
alter table article_versions add column source varchar;
alter table article_versions add column captions varchar[];
alter table article_versions add column images struct(src varchar, caption varchar)[];
alter table article_versions add column published_at timestamptz;
alter table article_versions add column modified_at timestamptz;
alter table article_versions add column section varchar;
alter table article_versions add column if not exists subsection varchar;  -- 0106 may add it too
alter table article_versions add column tags varchar[];
alter table article_versions add column layout varchar;
alter table article_versions add column provenance map(varchar, varchar);
alter table article_versions add column word_count integer;
alter table article_versions add column parser_version varchar;
alter table article_versions add column full_record boolean default true;

-- Backfill: the open version is the current row, so it gets every field. A closed version was
-- stored with headline, sapo and body only: its other fields stay null and full_record false
-- (article_diff compares only what both versions of a pair know).
update article_versions set
    url = a.url, dateline = a.dateline, authors = a.authors, source = a.source,
    captions = a.captions, images = a.images, published_at = a.published_at,
    modified_at = a.modified_at, section = a.section, tags = a.tags, layout = a.layout,
    provenance = a.provenance, word_count = a.word_count, parser_version = a.parser_version,
    full_record = true
from articles as a
where article_versions.article_id = a.article_id
    and article_versions.valid_to is null
    and article_versions.content_hash = a.content_hash;
update article_versions set full_record = false where url is null;

create table article_parses (
    run_id           varchar not null,
    article_id       varchar not null,
    parsed_at        timestamptz not null,
    outcome          varchar not null,     -- loaded | unchanged
    version          integer not null,
    published_at     timestamptz,
    layout           varchar not null,
    provenance       map(varchar, varchar) not null,
    parser_version   varchar not null,
    fallback_gaps    varchar[] not null
);
-- Backfill: the parse that loaded each current version (earlier parses left no layout behind).
insert into article_parses
select a.run_id, a.article_id, v.valid_from, 'loaded', a.version, a.published_at, a.layout,
    a.provenance, a.parser_version,
    case when a.layout = 'fallback' then
        list_filter(['authors', 'section'], f -> (f = 'authors' and len(a.authors) = 0)
            or (f = 'section' and a.section is null))
    else [] end
from articles as a
join article_versions as v on v.article_id = a.article_id and v.valid_to is null;

-- Accent-free author identity, the same string as the lso_fold macro (not yet defined while a
-- fresh warehouse migrates, so written out here).
update article_authors set author_key = trim(regexp_replace(
    strip_accents(replace(replace(lower(name), 'đ', 'd'), 'ð', 'd')), '[^a-z0-9]+', ' ', 'g'
));

update fetches set status = cast(regexp_extract(detail, '^HTTP (\d{3})\b', 1) as integer)
where status is null and regexp_matches(detail, '^HTTP \d{3}\b');

comment on table article_versions is 'Every distinct record an article has had: type-2 history. A new version starts whenever any field of the record changes (text, authors, source, captions, images, dates, section, subsection, tags, URL, dateline); the current row has valid_to null. layout, provenance and parser_version say what produced the version (they change with every parse: see article_parses).';
comment on column article_versions.content_hash is 'sha256 of this version''s normalised text (headline, sapo, body): two versions may share it when only other fields changed.';
comment on column article_versions.url is 'Canonical URL of this version (articles.url).';
comment on column article_versions.dateline is 'Dateline of this version.';
comment on column article_versions.authors is 'Authors of this version.';
comment on column article_versions.source is 'Source credit of this version (null: the paper''s own).';
comment on column article_versions.captions is 'Image captions of this version.';
comment on column article_versions.images is 'Images of this version: src and caption.';
comment on column article_versions.published_at is 'Publish instant this version gave.';
comment on column article_versions.modified_at is 'Last-modified instant this version gave.';
comment on column article_versions.section is 'Section of this version.';
comment on column article_versions.subsection is 'Sub-section of this version (the breadcrumb''s second level), when known.';
comment on column article_versions.tags is 'Tags of this version.';
comment on column article_versions.layout is 'Layout recognised by the parse that first produced this version.';
comment on column article_versions.provenance is 'Field -> rule map of the parse that first produced this version.';
comment on column article_versions.word_count is 'Words in the sapo and body of this version (as articles.word_count).';
comment on column article_versions.parser_version is 'Parser version that first produced this version.';
comment on column article_versions.full_record is 'False for a version closed before migration 0107: only headline, sapo and body were kept, the other fields are null (unknown, not empty).';

comment on table article_parses is 'One row per page parsed into a record by a run, loaded or unchanged: the layout and per-field provenance of that parse (data_quality counts these). Rows before migration 0107: the parse that loaded each then-current version only.';
comment on column article_parses.run_id is 'Run that parsed the page (runs.run_id).';
comment on column article_parses.article_id is 'Article (articles.article_id).';
comment on column article_parses.parsed_at is 'When the parsed page was fetched (for a page reparsed from the raw archive: its original fetch time).';
comment on column article_parses.outcome is '''loaded'' (a new version) or ''unchanged'' (the record as stored).';
comment on column article_parses.version is 'The article version this parse matched or created.';
comment on column article_parses.published_at is 'Publish instant of the parsed record; data_quality groups by its day.';
comment on column article_parses.layout is 'Layout recognised: ''current'', ''legacy'' or ''fallback''.';
comment on column article_parses.provenance is 'Field name -> the rule that produced it, in this parse.';
comment on column article_parses.parser_version is 'Parser version that made this parse.';
comment on column article_parses.fallback_gaps is 'For a fallback parse: the fields the site''s own layouts always give (authors, section) that it lacks; empty otherwise. A non-empty list is a quality flag (data check fallback_record_missing_fields).';

comment on column article_authors.author_key is 'Identity: lower case, accents and tones stripped, đ -> d, words one space apart (lso_fold): ''Thuy Linh'' and ''Thùy Linh'' are one author.';
comment on column fetches.status is 'HTTP status of the last response received for this URL: 200, 304, 404, 410, 5xx after retries, a redirect refused; null only when no response arrived (timeouts, refused connections, robots.txt) or the body was refused while it was read (over the size cap, unknown encoding).';
comment on column articles.layout is 'Which page layout the latest parse recognised: ''current'', ''legacy'' or ''fallback'' (generic extraction). Updated by every parse, unchanged ones too (article_parses keeps each).';
comment on column articles.provenance is 'Field name -> the rule that produced it in the latest parse (selector, metadata or fallback): layout drift shows here and in article_parses.';
comment on column articles.word_count is 'Words in the sapo and the body (not the headline, captions, byline or source): tokens between white space that hold at least one letter or digit, so a Vietnamese syllable counts as one word (''Lạng Sơn'' is 2), a number or a hyphenated token (''Hồ Cầu-TTXVN'', ''2.500'') as one, and a token of punctuation only (''–'', ''...'') as none.';
