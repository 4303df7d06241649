-- Returns: the programme items in effect on $day for one patient the viewer may see: for each exercise
--          (names compared trimmed and case-insensitively) the latest row dated on or before the day (among
--          rows dated the same day, the one recorded last), unless that row stops the item (days = 'none').
--          The exercise is named as that row writes it.
-- Grain: one row per exercise in effect.
-- Parameters: $patient_id (patient id), $day (date), $clinician_scope (clinician name, or null for everyone)
with visible as (
    select patient_id
    from patients
    where patient_id = $patient_id
        and ($clinician_scope::varchar is null or clinician = $clinician_scope)
),

versions as (
    select items.*
    from programme_items as items
    inner join visible on visible.patient_id = items.patient_id
    where items.effective_from <= $day::date
),

holding as (
    select *
    from versions
    qualify row_number() over (
        partition by lower(trim(exercise)) order by effective_from desc, item_id desc
    ) = 1
),

final as (
    select exercise, stage, sets, reps, hold_s, load_kg, days, effective_from, item_id
    from holding
    where days <> 'none'
    order by lower(trim(exercise)), item_id
)

select * from final
