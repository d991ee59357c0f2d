-- Every stored article but a partial one (issue 15: only what discovery saw) is an 'ok'
-- record: it must have a body and a headline.
select article_id, url, word_count
from articles
where layout <> 'partial' and (trim(body) = '' or trim(headline) = '' or word_count = 0);
