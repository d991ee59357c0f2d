-- The search_articles macro before the pair postings of migration 0105 (adf3e67), verbatim but
-- renamed, and reading the postings of a warehouse built before 0105, attached as `old`
-- (bench/warehouse.py --before-db), so both are timed in the same process. Not loaded into any
-- warehouse.
-- Ranked search for SQL users, in any DuckDB client, no extension needed; `lso-etl search`
-- runs this same macro:
--   select * from search_articles('"cửa khẩu" Tân Thanh') order by score desc limit 20;
-- Every query word must occur (accents and case ignored), and each "quoted phrase" as
-- consecutive words. The order, best first:
--   1. accents_match: every word typed with accents occurs with those accents (tone placement
--      aside: "hoà" is "hòa"), and so does each quoted phrase; a word typed without accents
--      matches any. A query without accents leaves every hit here.
--   2. phrase_match: the words outside quotes also occur side by side, in the query's order.
--   3. relevance: BM25F (k1 1.2, b 0.75) with headline x3, lead x2, body and captions x1,
--      plus a proximity bonus for consecutive query words within 5 words of each other
--      (1/gap^2, saturated like a term frequency; after Rasolofo & Savoy 2003).
-- `score` = 2 * accents_match + phrase_match + relevance / (1 + relevance), so ordering by
-- score alone gives that order.
create or replace temp macro search_articles_before(query) as table
with
quoted as (
    -- an unclosed quote runs to the end of the query
    select regexp_extract_all(query, '"([^"]*)("|$)', 1) as phrases
),

parts as (
    -- group 0: the words outside quotes; 1, 2, ...: each quoted phrase
    select 0 as grp, lso_search_words(regexp_replace(query, '"[^"]*("|$)', ' ', 'g')) as words
    union all
    select grp, lso_search_words(phrase)
    from (select unnest(generate_series(1, len(phrases))) as grp, unnest(phrases) as phrase
        from quoted)
),

query_words as (
    select grp, len(words) as glen, unnest(words) as word,
        unnest(generate_series(0, len(words) - 1)) as word_offset
    from parts
),

query_terms as (
    select grp, glen, word_offset, lso_search_term(word) as term,
        -- a word typed without accents asks for none: any form of it matches exactly
        case when lso_search_term(word) <> word then lso_search_exact(word) end as exact,
        row_number() over (order by grp, word_offset) as k
    from query_words
),

-- consecutive query words, the pairs proximity looks at
neighbour_terms as (
    select distinct one.term as first, two.term as second
    from query_terms as one join query_terms as two on two.k = one.k + 1
    where one.term <> two.term
),

hits as (
    select term, exact, article_id, positions, doc_len
    from old.search_postings
    where term in (select term from query_terms)
),

candidates as (
    select article_id
    from hits
    group by article_id
    having count(distinct term) = (select count(distinct term) from query_terms)
),

candidate_hits as materialized (
    select *
    from hits semi join candidates using (article_id)
),

-- per article and term: all positions, and the field-weighted term frequency
terms as (
    select article_id, term, any_value(doc_len) as doc_len,
        flatten(list(positions)) as positions,
        sum(list_sum(list_transform(positions,
            lambda p: case p // 1000000 when 0 then 3 when 1 then 2 else 1 end))) as tf
    from candidate_hits
    group by article_id, term
),

-- Positions stay lists (no row per word): phrases and proximity compare shifted lists.
-- One row per article and query word: where it stands, and where it stands as typed (the
-- posting of that accented form: one per article at most).
word_positions as (
    select t.article_id, q.grp,
        list_transform(t.positions, lambda p: p - q.word_offset) as starts,
        list_transform(
            case when q.exact is null then t.positions else coalesce(h.positions, []) end,
            lambda p: p - q.word_offset
        ) as starts_as_typed
    from terms as t join query_terms as q using (term)
    left join candidate_hits as h
        on h.article_id = t.article_id and h.term = q.term and h.exact = q.exact
),

-- a group's words stand side by side where one start is in every word's shifted positions
groups as (
    select article_id, grp,
        coalesce(list_bool_or(list_transform(any_value(starts), lambda s:
            list_bool_and(list_transform(list(starts), lambda l: list_contains(l, s))))), false)
            as phrase,
        coalesce(list_bool_or(list_transform(any_value(starts_as_typed), lambda s:
            list_bool_and(list_transform(list(starts_as_typed), lambda l: list_contains(l, s))))),
            false) as phrase_as_typed,
        bool_and(len(starts_as_typed) > 0) as words_as_typed
    from word_positions
    group by article_id, grp
),

tiers as (
    select article_id,
        coalesce(bool_and(phrase) filter (where grp > 0), true) as quoted_found,
        coalesce(bool_and(phrase_as_typed) filter (where grp > 0), true)
        and coalesce(bool_and(words_as_typed) filter (where grp = 0), true) as accents_match,
        coalesce(bool_and(phrase) filter (where grp = 0), true) as phrase_match
    from groups
    group by article_id
),

corpus as (
    select count(*) as docs, avg(doc_len) as avg_len
    from old.article_search
),

idf as (
    select term, log((corpus.docs - count(distinct article_id) + 0.5)
        / (count(distinct article_id) + 0.5) + 1) as idf
    from hits cross join corpus
    group by term, corpus.docs
),

bm25f as (
    select article_id,
        sum(idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * doc_len / corpus.avg_len))) as bm25
    from terms join idf using (term) cross join corpus
    group by article_id
),

-- two consecutive query words d <= 5 apart, either order, add 1/d^2 (the pairs are counted
-- by comparing the two short lists, cheaper than intersecting shifted copies)
proximity as (
    select a.article_id,
        sum(list_sum(list_transform([1, 2, 3, 4, 5], lambda d: list_sum(list_transform(
            a.positions, lambda x: len(list_filter(b.positions, lambda y: abs(x - y) = d)))
        ) / (d * d)))) as near
    from neighbour_terms
    join terms as a on a.term = neighbour_terms.first
    join terms as b on b.article_id = a.article_id and b.term = neighbour_terms.second
    group by a.article_id
),

ranked as (
    select article_id, accents_match, phrase_match,
        bm25 + coalesce(near, 0) * 2.2 / (coalesce(near, 0) + 1.2) * (select avg(idf) from idf)
            as relevance
    from tiers join bm25f using (article_id) left join proximity using (article_id)
    where quoted_found
)

select article_id,
    2 * accents_match::integer + phrase_match::integer + relevance / (1 + relevance) as score,
    relevance, accents_match, phrase_match
from ranked;
