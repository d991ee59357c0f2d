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
--      plus a proximity bonus for query words near each other (within 5 words, 1/gap^2,
--      after Rasolofo & Savoy 2003).
-- `score` = 2 * accents_match + phrase_match + relevance / (1 + relevance), so ordering by
-- score alone gives that order.
create or replace macro search_articles(query) as table
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
        case when lso_search_term(word) <> word then lso_search_exact(word) end as exact
    from query_words
),

hits as (
    select term, exact, article_id, positions, doc_len
    from search_postings
    where term in (select term from query_terms)
),

candidates as (
    select article_id
    from hits
    group by article_id
    having count(distinct term) = (select count(distinct term) from query_terms)
),

occurrences as (
    select article_id, term, exact, doc_len, unnest(positions) as pos
    from hits semi join candidates using (article_id)
),

matched as (
    select o.article_id, o.pos, q.grp, q.glen, q.word_offset,
        q.exact is null or q.exact = o.exact as exact_ok
    from occurrences as o join query_terms as q using (term)
),

-- a group's phrase starting at `start` is there when each of its words sits at its offset
starts as (
    select article_id, grp, any_value(glen) as glen, pos - word_offset as start,
        count(distinct word_offset) as found,
        count(distinct word_offset) filter (where exact_ok) as found_exact
    from matched
    group by article_id, grp, start
),

groups as (
    select article_id, grp, bool_or(found = glen) as phrase,
        bool_or(found_exact = glen) as phrase_exact
    from starts
    group by article_id, grp
),

loose_accents as (
    select article_id, count(distinct word_offset) filter (where exact_ok) = any_value(glen) as ok
    from matched
    where grp = 0
    group by article_id
),

tiers as (
    select article_id,
        coalesce(bool_and(phrase) filter (where grp > 0), true) as quoted_found,
        coalesce(bool_and(phrase_exact) filter (where grp > 0), true)
        and coalesce(any_value(loose_accents.ok), true) as accents_match,
        coalesce(bool_and(phrase) filter (where grp = 0), true) as phrase_match
    from groups left join loose_accents using (article_id)
    group by article_id
),

corpus as (
    select count(*) as docs, avg(doc_len) as avg_len
    from article_search
),

idf as (
    select term, log((corpus.docs - count(distinct article_id) + 0.5)
        / (count(distinct article_id) + 0.5) + 1) as idf
    from hits cross join corpus
    group by term, corpus.docs
),

weighted_tf as (
    select article_id, term, any_value(doc_len) as doc_len,
        sum(case pos // 1000000 when 0 then 3 when 1 then 2 else 1 end) as tf
    from occurrences
    group by article_id, term
),

bm25f as (
    select article_id,
        sum(idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * doc_len / corpus.avg_len))) as bm25
    from weighted_tf join idf using (term) cross join corpus
    group by article_id
),

neighbours as (
    select article_id, (pos - lag(pos) over w)::double as gap, term <> lag(term) over w as other_word
    from occurrences
    window w as (partition by article_id order by pos)
),

proximity as (
    select article_id,
        coalesce(sum(1.0 / (gap * gap)) filter (where other_word and gap <= 5), 0) as near
    from neighbours
    group by article_id
),

ranked as (
    select article_id, accents_match, phrase_match,
        bm25 + near * 2.2 / (near + 1.2) * (select avg(idf) from idf) as relevance
    from tiers join bm25f using (article_id) join proximity using (article_id)
    where quoted_found
)

select article_id,
    2 * accents_match::integer + phrase_match::integer + relevance / (1 + relevance) as score,
    relevance, accents_match, phrase_match
from ranked;
