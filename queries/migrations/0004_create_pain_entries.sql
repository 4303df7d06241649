-- Returns: nothing; creates the pain log, morning and evening scores.
-- Grain: one row per logged score (a patient may log several on one morning).
-- Parameters: none
create table pain_entries (
    entry_id bigint primary key default nextval('entry_ids'),
    patient_id varchar not null references patients (patient_id),
    date date not null,
    time_of_day varchar not null check (time_of_day in ('morning', 'evening')),
    pain decimal(3, 1) not null check (pain between 0 and 10),
    note varchar,
    import_id integer not null references imports (import_id)
)
