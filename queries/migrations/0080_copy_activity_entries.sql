-- Returns: nothing; copies every row of activity_entries_before_0078 into the new activity_entries, entry ids
--          included, in the order they are stored (each import's rows in date order, which the metrics' date
--          filters rely on).
-- Grain: one row per stored entry.
-- Parameters: none
insert into activity_entries (
    entry_id, patient_id, date, activity, duration_min, rpe, pain_during, note, import_id
)
with stored as (
    select
        entry_id, patient_id, date, activity, duration_min, rpe, pain_during, note, import_id
    from activity_entries_before_0078
),

final as (
    select * from stored
)

select * from final
