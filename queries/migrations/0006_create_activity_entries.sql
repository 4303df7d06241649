-- Returns: nothing; creates the log of other activities such as runs and rides.
-- Grain: one row per logged activity.
-- Parameters: none
create table activity_entries (
    entry_id bigint primary key default nextval('entry_ids'),
    patient_id varchar not null references patients (patient_id),
    date date not null,
    activity varchar not null check (length(trim(activity)) > 0),
    duration_min double not null check (duration_min > 0),
    rpe decimal(3, 1) check (rpe between 1 and 10),
    pain_during decimal(3, 1) check (pain_during between 0 and 10),
    note varchar,
    import_id integer not null references imports (import_id)
)
