-- Authors are title-cased ("Minh Đức"), acronyms kept ("Nhóm PV"): a word starting in lower
-- case, a capital inside a word ("ĐứC"), or a word all in capitals that is no known acronym.
with words as (
    select article_id, name, unnest(string_split(name, ' ')) as word
    from article_authors
)

select distinct article_id, name
from words
where regexp_matches(word, '^\p{Ll}')
    or regexp_matches(word, '\p{Ll}\p{Lu}')
    or (
        regexp_full_match(word, '\p{Lu}{2,}')
        and word not in ('PV', 'BBT', 'CTV', 'BTV', 'TTXVN', 'TTO', 'VOV', 'VTV', 'TTXVN/VNA')
    );
