-- Returns: nothing; creates the pain log (morning and evening scores) again, as migration 0004 made it
--          (checks, primary key, entry-id sequence) but without foreign keys. Each was an index DuckDB kept
--          on every row written (a patient id, and the one import id all rows of a file share), the largest
--          cost of an import. The importer refuses, set-based and before anything is written, a line naming a
--          patient neither stored nor added by the same import (validate_<kind>, patient_problem), and takes
--          the import id from the imports row it has just inserted in the same transaction; nothing deletes
--          patients or imports.
-- Grain: one row per logged score (a patient may log several on one morning).
-- Parameters: none
create table pain_entries (
    entry_id bigint primary key default nextval('entry_ids'),
    patient_id varchar not null,
    date date not null,
    time_of_day varchar not null check (time_of_day in ('morning', 'evening')),
    pain decimal(3, 1) not null check (pain between 0 and 10),
    note varchar,
    import_id integer not null
)
