-- Every stored article is an 'ok' record: it must have a body and a headline.
select article_id, url, word_count
from articles
where trim(body) = '' or trim(headline) = '' or word_count = 0;
