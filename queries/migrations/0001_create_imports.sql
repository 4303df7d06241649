-- Returns: nothing; creates the log of imports (files, app uploads and log entries), one row per source.
-- Grain: one row per imported file or sheet.
-- Parameters: none
create table imports (
    import_id integer primary key,
    source varchar not null,
    kind varchar not null check (kind in ('patients', 'pain', 'exercises', 'activities')),
    sha256 varchar,
    imported_by varchar not null,
    imported_at timestamptz not null default current_timestamp,
    rows_read integer not null check (rows_read >= 0),
    rows_added integer not null check (rows_added >= 0),
    rows_skipped integer not null check (rows_skipped >= 0),
    rows_replaced integer not null default 0 check (rows_replaced >= 0)
)
