-- What the site will tell us (issue 15): an article robots.txt forbids us to read, but that an
-- allowed sitemap, feed or listing named, is kept as a partial record (its URL, id and date,
-- and a headline and lead where discovery gave them) until a full copy completes it.
alter table articles add column status varchar default 'complete';
comment on column articles.status is '''complete'' (read from its page), or ''partial'': only what an allowed sitemap, feed or listing said of it (url, id, date; its page is disallowed by robots.txt); a later full copy from an archive or the site completes it. A partial record also has layout ''partial''.';
