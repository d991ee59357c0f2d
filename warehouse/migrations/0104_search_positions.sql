-- Search with phrases, proximity, field weights, captions and the accents the user typed
-- (issue 16). The postings now keep each word's positions and accented form; the shadows are
-- emptied so that migrate() writes them again, captions included, for every stored article
-- (store.derived.backfill_derived). The fts extension's index is dropped: that engine could
-- not offer these semantics. Append-only: never edit this file once applied.
drop table search_terms;

drop schema if exists fts_main_article_search cascade;

delete from search_index;

delete from article_search;

create table search_postings (
    term        varchar not null,
    exact       varchar not null,
    article_id  varchar not null,
    positions   integer[] not null,
    doc_len     integer not null
);

comment on table article_search is 'Search shadow of each current article: the accent-free words of headline, sapo, body and captions (macro lso_search_term).';
comment on column article_search.doc is 'Accent-free words of headline, sapo, body and captions, in order, one space apart.';
comment on table search_index is 'When the postings (search_postings) were last sorted by term, which keeps queries fast.';
comment on column search_index.engine is '''builtin'': the postings in search_postings (the only engine).';
comment on column search_index.built_at is 'When the postings were last sorted.';
comment on column search_index.docs is 'Documents covered by that sort.';
comment on column search_index.indexed_through is 'Newest article_search.indexed_at covered by the sort.';

comment on table search_postings is 'Positional index of the articles (macro search_articles reads it), rewritten at every load.';
comment on column search_postings.term is 'Accent-free word (macro lso_search_term): "cua" for both "của" and "cửa".';
comment on column search_postings.exact is 'The word with its accents, tone placement-free (macro lso_search_exact): "cuaR" is "của", "cưaR" is "cửa".';
comment on column search_postings.article_id is 'Article containing it.';
comment on column search_postings.positions is 'Word positions: field * 1,000,000 + index in the field (0 headline, 1 sapo, 2 body, 3 captions).';
comment on column search_postings.doc_len is 'The article''s word count (article_search.doc_len), repeated so ranking needs no join.';
comment on column article_search.indexed_at is 'When this shadow was written: later than search_index.indexed_through means it sits in the postings'' unsorted tail.';
