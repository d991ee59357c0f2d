-- Search's first page within 300 ms on 100,000 articles (issue 16): what the macro computed
-- per hit from position lists at every query is written once at load instead.
--   * search_postings holds one row per word and article (no longer one per accented form):
--     all its positions, the accented forms seen, and the field-weighted term frequency.
--   * search_pairs holds each pair of adjacent words with the starts of the pair, so a
--     phrase is a lookup instead of a comparison of position lists.
-- 0104's postings are kept aside under another name: migrate() then converts them
-- (store.search_upgrade, minutes on a big warehouse, where re-reading every article's text
-- took most of an hour) and drops them. Append-only: never edit this file once applied.
alter table search_postings rename to search_postings_0104;

create table search_postings (
    term        varchar not null,
    article_id  varchar not null,
    exacts      varchar not null,
    positions   integer[] not null,
    tf          integer not null,
    doc_len     integer not null
);

create table search_pairs (
    pair          varchar not null,
    first_exact   varchar not null,
    second_exact  varchar not null,
    article_id    varchar not null,
    starts        integer[] not null
);

comment on table search_postings is 'Positional index of the articles, one row per accent-free word and article (macro search_articles reads it), rewritten at every load.';
comment on column search_postings.term is 'Accent-free word (macro lso_search_term): "cua" for both "của" and "cửa".';
comment on column search_postings.article_id is 'Article containing it.';
comment on column search_postings.exacts is 'The forms of the word found in the article, with their accents, tone placement-free (macro lso_search_exact), one space apart: "cuaR cưaR" for "của" and "cửa" (a string, not a list: three times quicker to read).';
comment on column search_postings.positions is 'Word positions, any accents: field * 1,000,000 + index in the field (0 headline, 1 sapo, 2 body, 3 captions).';
comment on column search_postings.tf is 'Field-weighted count of the positions: 3 per headline word, 2 per lead word, 1 per body or caption word (BM25F).';
comment on column search_postings.doc_len is 'The article''s word count (article_search.doc_len), repeated so ranking needs no join.';

comment on table search_pairs is 'Adjacent words of the articles, for phrase search (macro search_articles reads it), rewritten at every load: one row per pair of accented forms and article.';
comment on column search_pairs.pair is 'The two accent-free words, one space apart: "cua khau".';
comment on column search_pairs.first_exact is 'The first word as written, accents kept (macro lso_search_exact).';
comment on column search_pairs.second_exact is 'The second word as written, accents kept (macro lso_search_exact).';
comment on column search_pairs.article_id is 'Article containing the pair.';
comment on column search_pairs.starts is 'Positions of the first word where the second follows it in the same field (as in search_postings.positions).';
comment on table search_index is 'When the postings (search_postings, search_pairs) were last sorted, which keeps queries fast.';
comment on column search_index.engine is '''builtin'': the postings in search_postings and search_pairs (the only engine).';
