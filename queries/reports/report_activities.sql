-- Returns: a patient's logged activities between two dates, for the progress report's activity chart.
-- Grain: one row per logged activity.
-- Parameters: $patient_id (patient id), $date_from (date), $date_to (date),
--             $clinician_scope (clinician name, or null for everyone)
with scoped_patient as (
    select patient_id
    from patients
    where patient_id = $patient_id
        and ($clinician_scope::varchar is null or clinician = $clinician_scope)
),

activities as (
    select
        entries.date,
        entries.activity,
        entries.duration_min,
        cast(entries.rpe as double) as rpe,
        cast(entries.pain_during as double) as pain_during
    from activity_entries as entries
    inner join scoped_patient using (patient_id)
    where entries.date between $date_from and $date_to
),

final as (
    select * from activities
    order by date, activity
)

select * from final
