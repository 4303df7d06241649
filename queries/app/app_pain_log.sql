-- Returns: a patient's stored pain scores between two dates, as logged, for the app's raw log table.
-- Grain: one row per logged score.
-- Parameters: $clinician_scope (clinician name, or null for everyone), $patient_id, $date_from, $date_to
with scoped_patient as (
    select patient_id
    from patients
    where patient_id = $patient_id
        and ($clinician_scope is null or clinician = $clinician_scope)
),

final as (
    select
        entries.date,
        entries.time_of_day,
        cast(entries.pain as double) as pain,
        entries.note
    from pain_entries as entries
    inner join scoped_patient using (patient_id)
    where entries.date between $date_from and $date_to
    order by date desc, time_of_day desc
)

select * from final
