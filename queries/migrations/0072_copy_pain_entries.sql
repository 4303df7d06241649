-- Returns: nothing; copies every row of pain_entries_before_0070 into the new pain_entries, entry ids
--          included, in the order they are stored (each import's rows in date order, which the metrics' date
--          filters rely on).
-- Grain: one row per stored entry.
-- Parameters: none
insert into pain_entries (
    entry_id, patient_id, date, time_of_day, pain, note, import_id
)
with stored as (
    select
        entry_id, patient_id, date, time_of_day, pain, note, import_id
    from pain_entries_before_0070
),

final as (
    select * from stored
)

select * from final
