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
-- What can be computed at load is (store.derived, migration 0105): the field-weighted term
-- frequency of each posting, the accented forms present, and each pair of adjacent words
-- (search_pairs), so the tiers are lookups; only proximity still compares position lists.
-- Two optional parameters, for a first page (`lso-etl search` passes both):
--   top := n        return only the hits that may be among the best n (every score exact):
--                   proximity is computed for those alone;
--   within := ids   rank only these articles (a list, e.g. one month's; the idf stays the
--                   whole warehouse's).
create or replace macro search_articles(query, top := null, within := null) as table
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

-- adjacent words of one group: a phrase is the lookup of its pairs in search_pairs
query_pairs as (
    select one.grp, one.glen, one.word_offset, one.term || ' ' || two.term as pair,
        one.exact as first_exact, two.exact as second_exact
    from query_terms as one
    join query_terms as two on two.grp = one.grp and two.word_offset = one.word_offset + 1
),

-- the groups a phrase test decides: quoted phrases, and the unquoted words, of two words or more
long_groups as (
    select count(*) filter (where grp > 0) as quoted, bool_or(grp = 0) as unquoted
    from (select distinct grp from query_pairs)
),

hits as (
    select term, article_id, exacts, tf, doc_len
    from search_postings
    where term in (select term from query_terms)
),

-- per query word: the accented forms it asks for where it stands outside quotes or alone in
-- them (a phrase's accents are the pairs' to check); none for a word typed without accents
term_needs as (
    select term, needs
    from (select term, coalesce(list(distinct exact) filter (where exact is not null
            and (grp = 0 or glen = 1)), []) as needs
        from query_terms
        group by term)
),

-- the articles `within` keeps, read once (an argument may be a subquery, which DuckDB would
-- otherwise evaluate again for every posting)
scope as (
    select within is null as everything, within as ids
),

kept as (
    select distinct unnest(ids) as article_id from scope
),

corpus as (
    select count(*) as docs, avg(doc_len) as avg_len
    from article_search
),

-- the idf is the whole warehouse's, whatever `within` keeps (counting reads the terms alone)
idf as (
    select term, log((corpus.docs - count(*) + 0.5) / (count(*) + 0.5) + 1) as idf
    from search_postings cross join corpus
    where term in (select term from query_terms)
    group by term, corpus.docs
),

-- what a query word's postings are weighed and tested with
term_weights as (
    select term, idf, needs[1] as first_need
    from idf
    join term_needs using (term)
),

-- one posting per word and article: an article holding every word is a candidate, and one
-- pass over its postings gives its BM25F and whether its words carry the accents typed
candidates as (
    select h.article_id,
        sum(idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75::double * doc_len / corpus.avg_len)))
            as bm25,
        -- (a word's first accented form here, any other below: a list per posting, or a
        -- lambda, cost 10-20% of the whole search)
        bool_and(first_need is null or list_contains(string_split(h.exacts, ' '), first_need))
            as typed
    from hits as h
    join term_weights using (term)
    cross join corpus
    cross join (select everything from scope) as s
    where s.everything or h.article_id in (select article_id from kept)
    group by h.article_id
    having count(*) = (select count(*) from term_needs)
),

-- a word typed with two accented forms (rare): the articles where one of the others is absent
other_form_missing as (
    select distinct article_id, true as missing
    from search_postings
    join (select term, unnest(needs[2:]) as need from term_needs) using (term)
    where not list_contains(string_split(exacts, ' '), need)
),

-- the candidates' rows of the pairs a phrase test or the proximity floor reads, in one pass
pair_rows as (
    select pair, article_id, first_exact, second_exact, starts
    from search_pairs
    where pair in (select pair from query_pairs
            union select first || ' ' || second from neighbour_terms)
        and article_id in (select article_id from candidates)
),

-- per article and query pair: found at all, and found as typed
pair_hits as (
    select p.article_id, q.grp, any_value(q.glen) as glen,
        bool_or((q.first_exact is null or p.first_exact = q.first_exact)
            and (q.second_exact is null or p.second_exact = q.second_exact)) as typed
    from pair_rows as p
    join query_pairs as q using (pair)
    group by p.article_id, q.grp, q.word_offset
),

-- phrases of three words or more, where pairs are not enough: each start of each pair,
-- shifted to where the phrase would begin (no row at all for two-word phrases)
long_starts as (
    select p.article_id, q.grp, q.glen, q.word_offset,
        unnest(p.starts) - q.word_offset as start,
        (q.first_exact is null or p.first_exact = q.first_exact)
            and (q.second_exact is null or p.second_exact = q.second_exact) as typed
    from pair_rows as p
    join query_pairs as q using (pair)
    where q.glen > 2
),

-- ... and such a phrase stands where every pair starts at one shifted place
long_phrases as (
    select article_id, grp, bool_or(pairs = glen - 1) as phrase,
        bool_or(pairs_as_typed = glen - 1) as phrase_as_typed
    from (select article_id, grp, any_value(glen) as glen,
            count(distinct word_offset) as pairs,
            count(distinct word_offset) filter (where typed) as pairs_as_typed
        from long_starts
        group by article_id, grp, start)
    group by article_id, grp
),

-- a group's words stand side by side where every pair is found (and, past two words, the
-- starts agree)
groups as (
    select article_id, grp,
        count(*) = any_value(glen) - 1 as all_pairs,
        count(*) filter (where typed) = any_value(glen) - 1 as all_pairs_as_typed,
        any_value(glen) = 2 as short
    from pair_hits
    group by article_id, grp
),

group_tiers as (
    select article_id,
        count(*) filter (where grp > 0 and all_pairs and (short or long_phrases.phrase))
            as quoted_phrases,
        count(*) filter (where grp > 0 and all_pairs_as_typed
            and (short or long_phrases.phrase_as_typed)) as quoted_as_typed,
        bool_or(grp = 0 and all_pairs and (short or coalesce(long_phrases.phrase, false)))
            as unquoted_phrase
    from groups
    left join long_phrases using (article_id, grp)
    group by article_id
),

-- Consecutive query words side by side in the article: each such place adds 1 to the
-- proximity's sum, so their count is a floor for it (read from search_pairs, no positions).
adjacent as (
    select article_id, sum(len(starts)) as near
    from pair_rows
    where pair in (select first || ' ' || second from neighbour_terms)
    group by article_id
),

tiers as (
    select article_id, bm25, near,
        coalesce(quoted_phrases, 0) = long_groups.quoted as quoted_found,
        typed and missing is null and coalesce(quoted_as_typed, 0) = long_groups.quoted
            as accents_match,
        coalesce(unquoted_phrase, false) or not coalesce(long_groups.unquoted, false)
            as phrase_match
    from candidates
    cross join long_groups
    left join group_tiers using (article_id)
    left join adjacent using (article_id)
    left join other_form_missing using (article_id)
),

bounds as (
    select article_id, accents_match, phrase_match, bm25, near,
        2 * accents_match::integer + phrase_match::integer as tier
    from tiers
    where quoted_found
),

-- The proximity bonus stays below 2.2 x the mean idf (none without two query words), and
-- above the bonus of its floor. With those floors the top-th best score is one the best
-- `top` reach at least: a hit whose score with the largest bonus stays below it cannot be
-- among them. (1e-9: room for the last bit of the float sums.)
bonus as (
    select case when exists (from neighbour_terms) then avg(idf) end as unit
    from idf
),

pool as (
    select article_id
    from bounds
    cross join bonus
    -- (the top-th of the floors, from a heap: `max(x, n)` needs an n, hence the coalesce)
    cross join (select max(tier + low / (1 + low), coalesce(top, 1))[top] as score
        from (select tier, bm25 + coalesce(near * 2.2 / (near + 1.2) * bonus.unit, 0) as low
            from bounds cross join bonus)) as page_floor
    where page_floor.score is null
        or tier + (bm25 + coalesce(2.2 * bonus.unit, 0)) / (1 + bm25 + coalesce(2.2 * bonus.unit, 0))
            >= page_floor.score - 1e-9
),

positions as (
    select term, article_id, positions
    from search_postings
    where term in (select first from neighbour_terms union select second from neighbour_terms)
        and article_id in (select article_id from pool)
),

-- two consecutive query words d <= 5 apart, either order, add 1/d^2 (one pass over each
-- pair of short lists)
proximity as (
    select a.article_id,
        sum(list_sum(list_transform(a.positions, lambda x: list_sum(list_transform(b.positions,
            lambda y: case when abs(x - y) between 1 and 5 then 1.0 / ((x - y) * (x - y))
                else 0 end))))) as near
    from neighbour_terms
    join positions as a on a.term = neighbour_terms.first
    join positions as b on b.article_id = a.article_id and b.term = neighbour_terms.second
    group by a.article_id
),

ranked as (
    select article_id, accents_match, phrase_match,
        bm25 + coalesce(proximity.near, 0) * 2.2 / (coalesce(proximity.near, 0) + 1.2)
            * (select avg(idf) from idf) as relevance
    from bounds semi join pool using (article_id) left join proximity using (article_id)
)

select article_id,
    2 * accents_match::integer + phrase_match::integer + relevance / (1 + relevance) as score,
    relevance, accents_match, phrase_match
from ranked;
