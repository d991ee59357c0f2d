-- article_diff(id): field by field, what changed between consecutive versions of one article
-- (article_versions), with a paragraph diff for the body. One row per changed field:
--   select * from article_diff('new:5071654');
-- Versions closed before migration 0107 kept only headline, sapo and body: for a pair where
-- either side lacks the full record, only those three are compared (the rest is unknown).
create or replace macro article_diff(id) as table
with
versions as (
    select
        article_id,
        version,
        valid_from,
        coalesce(full_record, false) as full_record,
        string_split(body, chr(10) || chr(10)) as paragraphs,
        [
            {'field': 'headline', 'value': headline, 'always': true},
            {'field': 'sapo', 'value': sapo, 'always': true},
            {'field': 'url', 'value': url, 'always': false},
            {'field': 'dateline', 'value': dateline, 'always': false},
            {'field': 'authors', 'value': cast(authors as varchar), 'always': false},
            {'field': 'source', 'value': source, 'always': false},
            {'field': 'captions', 'value': cast(captions as varchar), 'always': false},
            {'field': 'images', 'value': cast(images as varchar), 'always': false},
            {'field': 'published_at', 'value': cast(published_at as varchar), 'always': false},
            {'field': 'modified_at', 'value': cast(modified_at as varchar), 'always': false},
            {'field': 'section', 'value': section, 'always': false},
            {'field': 'subsection', 'value': subsection, 'always': false},
            {'field': 'tags', 'value': cast(tags as varchar), 'always': false},
            {'field': 'layout', 'value': layout, 'always': false},
            {'field': 'provenance', 'value': cast(provenance as varchar), 'always': false},
            {'field': 'parser_version', 'value': parser_version, 'always': false}
        ] as fields
    from article_versions
    where article_id = id
),

pairs as (
    select
        older.article_id,
        older.version as from_version,
        newer.version as to_version,
        newer.valid_from as changed_at,
        older.full_record and newer.full_record as both_full,
        older.fields as old_fields,
        newer.fields as new_fields,
        older.paragraphs as old_paragraphs,
        newer.paragraphs as new_paragraphs
    from versions as older
    join versions as newer
        on newer.article_id = older.article_id
        and newer.version = older.version + 1
),

scalar_changes as (
    select
        article_id, from_version, to_version, changed_at,
        old_field.field as field,
        old_field.value as before,
        new_field.value as after,
        null::varchar[] as paragraph_diff
    from (
        select *, unnest(old_fields) as old_field, unnest(new_fields) as new_field from pairs
    )
    where old_field.value is distinct from new_field.value
        and (both_full or old_field.always)
),

body_changes as (
    select
        article_id, from_version, to_version, changed_at,
        'body' as field,
        array_to_string(list_filter(old_paragraphs, p -> not list_contains(new_paragraphs, p)), chr(10) || chr(10)) as before,
        array_to_string(list_filter(new_paragraphs, p -> not list_contains(old_paragraphs, p)), chr(10) || chr(10)) as after,
        list_concat(
            list_transform(list_filter(old_paragraphs, p -> not list_contains(new_paragraphs, p)), p -> '- ' || p),
            list_transform(list_filter(new_paragraphs, p -> not list_contains(old_paragraphs, p)), p -> '+ ' || p)
        ) as paragraph_diff
    from pairs
    where old_paragraphs is distinct from new_paragraphs
)

select * from scalar_changes
union all
select * from body_changes
order by from_version, field;

-- article_show(id): every version of one article, oldest first, whole; `lso-etl show ID` in SQL
-- (its archived HTML is not: the WARC files lie outside the database, see cli/commands/show.py).
create or replace macro article_show(id) as table
select
    article_versions.*,
    article_versions.valid_to is null as is_current,
    articles.first_seen_at,
    articles.last_fetched_at
from article_versions
left join articles using (article_id)
where article_versions.article_id = id
order by article_versions.version;
