-- Returns: nothing; creates the history of pain scores replaced by `rehab import --replace`.
-- Grain: one row per replaced score.
-- Parameters: none
create table pain_entry_history (
    entry_id bigint not null,
    patient_id varchar not null,
    date date not null,
    time_of_day varchar not null,
    pain decimal(3, 1) not null,
    note varchar,
    import_id integer not null,
    replaced_at timestamptz not null default current_timestamp,
    replaced_by_import integer not null references imports (import_id)
)
