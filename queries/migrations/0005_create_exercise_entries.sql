-- Returns: nothing; creates the exercise log; one isometric hold counts as one rep.
-- Grain: one row per logged exercise line (identical lines on one day are separate real sets).
-- Parameters: none
create table exercise_entries (
    entry_id bigint primary key default nextval('entry_ids'),
    patient_id varchar not null references patients (patient_id),
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
    import_id integer not null references imports (import_id)
)
