-- Returns: nothing; creates the patients table with their per-patient thresholds.
-- Grain: one row per patient.
-- Parameters: none
create table patients (
    patient_id varchar primary key check (length(trim(patient_id)) > 0),
    name varchar,
    clinician varchar,
    condition varchar,
    start_date date not null,
    daily_rep_target integer not null default 90 check (daily_rep_target between 1 and 10000),
    pain_ceiling decimal(3, 1) not null default 5 check (pain_ceiling between 0 and 10),
    flare_threshold decimal(3, 1) not null default 2 check (flare_threshold > 0 and flare_threshold <= 10),
    discharged_on date check (discharged_on >= start_date),
    stage varchar check (
        stage in ('isometric', 'isotonic', 'heavy_slow', 'eccentric', 'energy_storage', 'plyometric', 'other')
    ),
    import_id integer references imports (import_id)
)
