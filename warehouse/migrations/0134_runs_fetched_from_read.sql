-- 0134: runs.fetched_from says what a run read, not what it was asked for (issue 15 review).
-- A run asked for `auto` recorded 'auto', which told an analyst nothing about where its pages
-- came from; the source asked stays in parameters->>'source'. Runs recorded before this
-- migration keep their value ('auto' among them). Append-only: never edit this file once applied.

comment on column runs.fetched_from is 'Where the run read its article pages: site, wayback or commoncrawl; several joined by + in that order (an auto run: site+wayback); none when it read no page (all from the raw archive, or nothing to do). The source asked for is parameters->>''source''. Before migration 0134: the source asked, auto included.';
