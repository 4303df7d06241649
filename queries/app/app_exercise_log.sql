-- Returns: a patient's stored exercise lines between two dates, as logged, for the app's raw log table.
-- Grain: one row per logged exercise line.
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
        entries.exercise,
        entries.stage,
        entries.sets,
        entries.reps,
        entries.hold_s,
        entries.load_kg,
        cast(entries.pain_during as double) as pain_during,
        entries.note
    from exercise_entries as entries
    inner join scoped_patient using (patient_id)
    where entries.date between $date_from and $date_to
    order by date desc, exercise
)

select * from final
