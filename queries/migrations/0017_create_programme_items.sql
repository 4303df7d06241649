-- Returns: nothing; creates again (see 0016) the prescribed loading programme: each row prescribes one
--          exercise for a patient from effective_from until a later row for the same patient and exercise
--          (names compared trimmed and case-insensitively) replaces it; a row with days = 'none' ends the
--          item. days is 'daily', 'none', or the weekdays it is done on, written in week order like
--          'mon,wed,fri'. Holds are prescribed as sets x 1 rep, as they are logged. Rows come from a
--          programme file (import_id, in programme_imports) or from a clinician in the app or the CLI
--          (recorded_by, recorded_at); among rows for one exercise dated the same day, the one recorded
--          last (highest item_id) holds.
-- Grain: one row per prescribed item version.
-- Parameters: none
create table programme_items (
    item_id bigint primary key default nextval('programme_item_ids'),
    patient_id varchar not null references patients (patient_id),
    effective_from date not null,
    exercise varchar not null check (length(trim(exercise)) > 0),
    stage varchar not null check (
        stage in ('isometric', 'isotonic', 'heavy_slow', 'eccentric', 'energy_storage', 'plyometric', 'other')
    ),
    sets integer not null check (sets between 0 and 100),
    reps integer not null check (reps between 0 and 1000),
    hold_s double check (hold_s > 0),
    load_kg double check (load_kg >= 0),
    days varchar not null check (
        days in ('daily', 'none')
        or regexp_full_match(days, '(mon|tue|wed|thu|fri|sat|sun)(,(mon|tue|wed|thu|fri|sat|sun))*')
    ),
    import_id integer references programme_imports (import_id),
    recorded_by varchar,
    recorded_at timestamptz not null default current_timestamp,
    reason varchar
)
