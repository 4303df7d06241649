-- Returns: every programme item version of one patient the viewer may see, in the order recorded: what it
--          prescribes from when, and where it came from (the programme file, or who set it and why).
-- Grain: one row per item version.
-- Parameters: $patient_id (patient id), $clinician_scope (clinician name, or null for everyone)
with visible as (
    select patient_id
    from patients
    where patient_id = $patient_id
        and ($clinician_scope::varchar is null or clinician = $clinician_scope)
),

versions as (
    select
        items.item_id,
        items.effective_from,
        items.exercise,
        items.stage,
        items.sets,
        items.reps,
        items.hold_s,
        items.load_kg,
        items.days,
        files.source as programme_file,
        coalesce(items.recorded_by, files.imported_by) as recorded_by,
        items.recorded_at,
        items.reason
    from programme_items as items
    inner join visible on visible.patient_id = items.patient_id
    left join programme_imports as files on files.import_id = items.import_id
),

final as (
    select * from versions
    order by item_id
)

select * from final
