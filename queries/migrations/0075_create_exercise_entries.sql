-- Returns: nothing; creates the exercise log (one isometric hold counts as one rep) again, as migration 0005
--          made it (checks, primary key, entry-id sequence) but without foreign keys. Each was an index
--          DuckDB kept on every row written (a patient id, and the one import id all rows of a file share),
--          the largest cost of an import. The importer refuses, set-based and before anything is written, a
--          line naming a patient neither stored nor added by the same import (validate_<kind>,
--          patient_problem), and takes the import id from the imports row it has just inserted in the same
--          transaction; nothing deletes patients or imports.
-- Grain: one row per logged exercise line (identical lines on one day are separate real sets).
-- Parameters: none
create table exercise_entries (
    entry_id bigint primary key default nextval('entry_ids'),
    patient_id varchar not null,
    date date not null,
    exercise varchar not null check (length(trim(exercise)) > 0),
    stage varchar check (
        stage in ('isometric', 'isotonic', 'heavy_slow', 'eccentric', 'energy_storage', 'plyometric', 'other')
    ),
    sets integer not null check (sets > 0),
    reps integer not null check (reps > 0),
    hold_s double check (hold_s >= 0),
    load_kg double check (load_kg >= 0),
    pain_during decimal(3, 1) check (pain_during between 0 and 10),
    note varchar,
    import_id integer not null
)
