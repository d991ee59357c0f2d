-- Ranked search for SQL users, in any DuckDB client, no extension needed:
--   select * from search_articles('nông thôn mới') order by score desc limit 20;
-- Every query word must occur (accents and case ignored); the score is BM25 (k1 1.2, b 0.75),
-- the same formula as the fts extension's match_bm25, over the postings in search_terms.
create or replace macro search_articles(query) as table
with
query_terms as (
    select distinct unnest(string_split(lso_fold(query), ' ')) as term
),

corpus as (
    select count(*) as docs, avg(doc_len) as avg_len
    from article_search
),

hits as (
    select term, article_id, tf, doc_len
    from search_terms
    where term in (select term from query_terms where term <> '')
),

document_frequency as (
    select term, count(*) as df
    from hits
    group by term
),

scored as (
    select
        hits.article_id,
        sum(
            log((corpus.docs - df + 0.5) / (df + 0.5) + 1)
            * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * doc_len / corpus.avg_len))
        ) as score,
        count(*) as terms_matched
    from hits
    join document_frequency using (term)
    cross join corpus
    group by hits.article_id
)

select article_id, score
from scored
where terms_matched = (select count(*) from query_terms where term <> '');
