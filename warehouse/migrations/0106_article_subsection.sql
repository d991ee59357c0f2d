-- 0106: articles.subsection beside articles.section (issue 16). The breadcrumb names two levels
-- ("Trang chủ > Xã hội > Y tế"); before this migration the deeper level could land in `section`.
-- Existing rows keep a null subsection until their page is parsed again (`lso-etl reparse`).
-- Tags and modification dates are now also read from the visible page, not only <head>.
-- Append-only: never edit this file once applied.

alter table articles add column subsection varchar;

comment on column articles.section is 'Section name, the top level of the breadcrumb (''Xã hội'' in ''Trang chủ > Xã hội > Y tế''); else, on an older-CMS URL, its first path segment as a slug (''xa-hoi''); else the fallback layout''s article:section metadata; null when the page names none. provenance[''section''] says which.';
comment on column articles.subsection is 'The level below section: the breadcrumb''s next entry (''Y tế''); else, on an older-CMS URL (/xa-hoi/y-te/310783-....html) whose first segment is the section, the second path segment as a slug (''y-te''); null when the page names none (most current-CMS pages). provenance[''subsection''] says which (a rule name ending in #2; url:legacy-path#2 for a slug).';
comment on column articles.tags is 'Tags in page order, each once (case-insensitively): from <head> metadata (article:tag, JSON-LD keywords), else the links of the page''s visible tag box (a "Từ khóa:" label and a leading # dropped); empty when the page shows none. provenance[''tags''] says which.';
comment on column articles.modified_at is 'Last-modified instant: <head> metadata (article:modified_time, JSON-LD dateModified), else a visible line after a "Cập nhật"/"sửa đổi" label (in the date element or a date line atop the body); null when the page gives none or only a time after the fetch. provenance[''modified_at''] says which.';
