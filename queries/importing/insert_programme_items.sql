-- Returns: the number of programme items inserted from typed_rows. A row identical to a stored one (the
--          same patient, date, exercise as written and details) is skipped, and so is a line repeating an
--          earlier line of the sheet: a prescription stated twice is one item, and re-importing a file adds
--          none. A row that differs from the stored ones is a new version, recorded after them.
-- Grain: one row per inserted item version.
-- Parameters: $import_id
insert into programme_items (
    patient_id, effective_from, exercise, stage, sets, reps, hold_s, load_kg, days, import_id
)
with incoming as (
    select distinct patient_id, effective_from, exercise, stage, sets, reps, hold_s, load_kg, days
    from typed_rows
),

stored as (
    select patient_id, effective_from, exercise, stage, sets, reps, hold_s, load_kg, days
    from programme_items
    where patient_id in (select patient_id from incoming)
),

final as (
    select
        patient_id,
        effective_from,
        exercise,
        stage,
        sets,
        reps,
        hold_s,
        load_kg,
        days,
        $import_id as import_id
    from incoming
    where not exists (
        select 1
        from stored
        where stored.patient_id = incoming.patient_id
            and stored.effective_from = incoming.effective_from
            and stored.exercise = incoming.exercise
            and stored.stage = incoming.stage
            and stored.sets = incoming.sets
            and stored.reps = incoming.reps
            and stored.hold_s is not distinct from incoming.hold_s
            and stored.load_kg is not distinct from incoming.load_kg
            and stored.days = incoming.days
    )
    order by patient_id, effective_from, lower(exercise)
)

select * from final
