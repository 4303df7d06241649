-- Returns: one patient's details for a report header, when the viewer may see them; no row otherwise.
-- Grain: one row per patient (at most one).
-- Parameters: $patient_id (patient id), $clinician_scope (clinician name, or null for everyone)
with scoped as (
    select
        patient_id,
        name,
        clinician,
        condition,
        start_date,
        discharged_on,
        daily_rep_target,
        cast(pain_ceiling as double) as pain_ceiling,
        cast(flare_threshold as double) as flare_threshold
    from patients
    where patient_id = $patient_id
        and ($clinician_scope::varchar is null or clinician = $clinician_scope)
),

final as (
    select * from scoped
)

select * from final
