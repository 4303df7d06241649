-- Returns: nothing; creates the table that records which migrations and macro set a database has.
-- Grain: one row per applied migration.
-- Parameters: none
create table if not exists schema_migrations (
    version integer primary key,
    name varchar not null,
    applied_at timestamptz not null default current_timestamp
)
