-- 0103: the warehouse's identity (issue 14). Each raw archive belongs to one warehouse: every
-- WARC file a run writes names this id in its warcinfo record, and a run indexes or reparses
-- only files that name it (or, written before this migration, whose run is in `runs`), so two
-- warehouses whose archives share a folder never load each other's pages. Existing warehouses
-- get their id when this migration runs. Append-only: never edit this file once applied.

create table warehouse_identity (
    singleton boolean primary key default true check (singleton),
    warehouse_id varchar not null,
    created_at timestamptz not null
);
insert into warehouse_identity (warehouse_id, created_at) values (cast(uuid() as varchar), now());

comment on table warehouse_identity is 'The warehouse''s identity: exactly one row, written when the warehouse was created or first migrated after 0103. A copy of the file (cp, export snapshot) carries the same id.';
comment on column warehouse_identity.singleton is 'Always true: the primary key that keeps this table to one row.';
comment on column warehouse_identity.warehouse_id is 'Random UUID (lower-case text with hyphens) naming this warehouse. Every WARC file its runs write carries it in the warcinfo record''s lso-warehouse-id field; a run indexes or reparses only archive files that carry it (or, written before it existed, whose run_id is in runs) and names the others in a warning.';
comment on column warehouse_identity.created_at is 'When the id was generated: when the warehouse file was created, or for an older warehouse when migration 0103 ran (stored in UTC).';

-- The archive's default folder is now named after the database file (0101 said raw/).
comment on column archive_records.warc_file is 'File name (no directory) of the run''s gzip WARC file in the raw archive directory (LSO_RAW_DIR; default <database file name without .duckdb>.raw/ next to the warehouse file, e.g. lso.raw/ for lso.duckdb; before 0103 raw/, whose files of this warehouse a run moves there): ''<YYYYMMDDTHHMMSSZ, UTC time the run opened it>-<run_id>.warc.gz'', one file per run. Rows whose run_id is not in runs (indexed from another warehouse''s file by a version before 0103) are ignored by every reader.';
