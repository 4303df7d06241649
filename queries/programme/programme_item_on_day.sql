-- Returns: the version of one exercise (names compared trimmed and case-insensitively) that holds on $day
--          for a patient the viewer may see: the latest row dated on or before the day, among rows dated
--          the same day the one recorded last, a row that stopped the item (days = 'none') included. No row
--          when the exercise was never prescribed by then.
-- Grain: one row (at most).
-- Parameters: $patient_id (patient id), $exercise (the exercise's name), $day (date), $clinician_scope
--             (clinician name, or null for everyone)
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
        and lower(trim(items.exercise)) = lower(trim($exercise::varchar))
),

final as (
    select exercise, stage, sets, reps, hold_s, load_kg, days, effective_from, item_id
    from versions
    qualify row_number() over (order by effective_from desc, item_id desc) = 1
)

select * from final
