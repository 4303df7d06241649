-- Returns: the patients the viewer may see, with their programme settings; one patient when $patient_id is set.
-- Grain: one row per patient.
-- Parameters: $clinician_scope (clinician name, or null for everyone), $patient_id (or null for all)
with scoped as (
    select *
    from patients
    where ($clinician_scope is null or clinician = $clinician_scope)
        and ($patient_id is null or patient_id = $patient_id)
),

final as (
    select
        patient_id,
        name,
        clinician,
        condition,
        start_date,
        stage,
        daily_rep_target,
        cast(pain_ceiling as double) as pain_ceiling,
        cast(flare_threshold as double) as flare_threshold,
        discharged_on
    from scoped
    order by patient_id
)

select * from final
