-- A record read by the generic fallback (no layout of the site matched) that lacks a field the
-- site's own layouts always give (authors, section): what analysts get is incomplete, and the
-- site profile needs a new layout. Same rule as article_parses.fallback_gaps.
select article_id, url, len(authors) = 0 as missing_authors, section is null as missing_section
from articles
where layout = 'fallback' and (len(authors) = 0 or section is null);
