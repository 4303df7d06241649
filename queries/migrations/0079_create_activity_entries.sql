-- Returns: nothing; creates the log of other activities such as runs and rides again, as migration 0006 made
--          it (checks, primary key, entry-id sequence) but without foreign keys. Each was an index DuckDB
--          kept on every row written (a patient id, and the one import id all rows of a file share), the
--          largest cost of an import. The importer refuses, set-based and before anything is written, a line
--          naming a patient neither stored nor added by the same import (validate_<kind>, patient_problem),
--          and takes the import id from the imports row it has just inserted in the same transaction; nothing
--          deletes patients or imports.
-- Grain: one row per logged activity.
-- Parameters: none
create table activity_entries (
    entry_id bigint primary key default nextval('entry_ids'),
    patient_id varchar not null,
    date date not null,
    activity varchar not null check (length(trim(activity)) > 0),
    duration_min double not null check (duration_min > 0),
    rpe decimal(3, 1) check (rpe between 1 and 10),
    pain_during decimal(3, 1) check (pain_during between 0 and 10),
    note varchar,
    import_id integer not null
)
