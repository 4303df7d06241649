-- Returns: nothing; creates the log of programme imports (files, sheets and uploads of the programme kind),
--          one row per sheet, kept like imports. imports.kind allows only the four log kinds it was made
--          with, and DuckDB cannot change a table's check once other tables refer to it, so programme sheets
--          are logged here.
-- Grain: one row per imported programme sheet.
-- Parameters: none
create table programme_imports (
    import_id integer primary key,
    source varchar not null,
    sha256 varchar,
    imported_by varchar not null,
    imported_at timestamptz not null default current_timestamp,
    rows_read integer not null check (rows_read >= 0),
    rows_added integer not null check (rows_added >= 0),
    rows_skipped integer not null check (rows_skipped >= 0),
    rows_replaced integer not null default 0 check (rows_replaced >= 0)
)
