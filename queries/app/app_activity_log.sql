-- Returns: a patient's stored activities between two dates, as logged, for the app's raw log and chart.
-- Grain: one row per logged activity.
-- Parameters: $clinician_scope (clinician name, or null for everyone), $patient_id, $date_from, $date_to
with scoped_patient as (
    select patient_id
    from patients
    where patient_id = $patient_id
        and ($clinician_scope is null or clinician = $clinician_scope)
),

final as (
    select
        entries.patient_id,
        entries.date,
        entries.activity,
        entries.duration_min,
        cast(entries.rpe as double) as rpe,
        cast(entries.pain_during as double) as pain_during,
        entries.note
    from activity_entries as entries
    inner join scoped_patient using (patient_id)
    where entries.date between $date_from and $date_to
    order by date desc, activity
)

select * from final
