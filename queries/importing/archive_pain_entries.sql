-- Returns: the number of stored pain scores copied to pain_entry_history before --replace removes them.
-- Grain: one row per archived score.
-- Parameters: $entry_ids (the pain entries being replaced), $import_id (the import replacing them)
insert into pain_entry_history (entry_id, patient_id, date, time_of_day, pain, note, import_id, replaced_by_import)
with replaced as (
    select entry_id, patient_id, date, time_of_day, pain, note, import_id
    from pain_entries
    where list_contains($entry_ids, entry_id)
),

final as (
    select *, $import_id as replaced_by_import from replaced
)

select * from final
