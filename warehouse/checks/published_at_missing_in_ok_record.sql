-- Every stored article is an 'ok' record: it must say when it was published. A null date (the
-- page gave none, or only an impossible one) keeps the article out of daily_counts and files
-- it under 'undated' in the Parquet export.
select article_id, url, layout, provenance['published_at'] as rule
from articles
where published_at is null;
