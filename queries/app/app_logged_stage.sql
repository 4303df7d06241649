-- Returns: the loading stage of a patient's most recent exercise line that names one (null when none does),
--          shown beside the stage setting.
-- Grain: one row (or none) for one patient.
-- Parameters: $clinician_scope (clinician name, or null for everyone), $patient_id
with scoped_patient as (
    select patient_id
    from patients
    where patient_id = $patient_id
        and ($clinician_scope is null or clinician = $clinician_scope)
),

staged as (
    select
        entries.date,
        entries.entry_id,
        entries.stage
    from exercise_entries as entries
    inner join scoped_patient using (patient_id)
    where entries.stage is not null
),

final as (
    select stage
    from staged
    order by date desc, entry_id desc
    limit 1
)

select * from final
