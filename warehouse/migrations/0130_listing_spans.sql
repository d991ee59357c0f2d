-- 0130: listing pages' date spans (issue 13). A backfill finds a date deep in a paginated
-- listing by probing page numbers; what each page it read listed (newest and oldest date) is
-- kept, so that a later backfill's first probe lands close to the page it needs. Pages shift
-- as the site publishes, so a span is a hint, never an answer. Append-only: never edit this
-- file once applied; add 0131_... instead.

create table listing_spans (
    listing  varchar not null,
    page     integer not null,
    newest   date not null,
    oldest   date not null,
    seen_at  timestamptz not null,
    primary key (listing, page)
);

comment on table listing_spans is 'Date span of each listing page a discovery pass read: where a later pass starts looking for a date (a hint: pages shift as the site publishes).';
comment on column listing_spans.listing is 'Which pagination: ''listing:<section slug>'' for a section''s HTML listing, ''json:<category id>'' for the JSON listing.';
comment on column listing_spans.page is 'Page number in that pagination (1: the newest), as it was when read.';
comment on column listing_spans.newest is 'Newest listed date on the page (site calendar date, Asia/Ho_Chi_Minh).';
comment on column listing_spans.oldest is 'Oldest listed date on the page (site calendar date, Asia/Ho_Chi_Minh).';
comment on column listing_spans.seen_at is 'When the page was read (stored in UTC); the row is replaced when the page is read again.';
