-- Returns: the patient's id when the patient exists and the viewer may see them; no row otherwise.
-- Grain: one row per patient (at most one).
-- Parameters: $patient_id (patient id), $clinician_scope (clinician name, or null for everyone)
with visible as (
    select patient_id
    from patients
    where patient_id = $patient_id
        and ($clinician_scope::varchar is null or clinician = $clinician_scope)
),

final as (
    select * from visible
)

select * from final
