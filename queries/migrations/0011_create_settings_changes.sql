-- Returns: nothing; creates the effective-dated history of a patient's settings. A change takes effect from
--          effective_from and holds until a later-dated change of the same setting; a null setting column
--          means the change leaves that setting as it was. acceptable_pain is changed only when
--          sets_acceptable_pain is true, and null there means "learn it from the patient's mornings". Before
--          any change, the patients table's values (from the patients file) hold from start_date. Among
--          changes with the same effective_from, the one recorded last (highest change_id) wins.
-- Grain: one row per recorded change.
-- Parameters: none
create table settings_changes (
    change_id bigint primary key default nextval('settings_change_ids'),
    patient_id varchar not null references patients (patient_id),
    effective_from date not null,
    daily_rep_target integer check (daily_rep_target between 1 and 10000),
    pain_ceiling decimal(3, 1) check (pain_ceiling between 0 and 10),
    flare_threshold decimal(3, 1) check (flare_threshold > 0 and flare_threshold <= 10),
    sets_acceptable_pain boolean not null default false,
    acceptable_pain decimal(3, 1) check (acceptable_pain between 0 and 10),
    changed_by varchar not null check (length(trim(changed_by)) > 0),
    changed_at timestamptz not null default current_timestamp,
    reason varchar,
    check (acceptable_pain is null or sets_acceptable_pain),
    check (
        daily_rep_target is not null or pain_ceiling is not null or flare_threshold is not null
        or sets_acceptable_pain
    )
)
