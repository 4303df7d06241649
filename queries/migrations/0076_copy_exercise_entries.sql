-- Returns: nothing; copies every row of exercise_entries_before_0074 into the new exercise_entries, entry ids
--          included, in the order they are stored (each import's rows in date order, which the metrics' date
--          filters rely on).
-- Grain: one row per stored entry.
-- Parameters: none
insert into exercise_entries (
    entry_id, patient_id, date, exercise, stage, sets, reps, hold_s, load_kg, pain_during, note, import_id
)
with stored as (
    select
        entry_id, patient_id, date, exercise, stage, sets, reps, hold_s, load_kg, pain_during, note, import_id
    from exercise_entries_before_0074
),

final as (
    select * from stored
)

select * from final
