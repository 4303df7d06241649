-- Returns: stored alert acknowledgements for the patients the viewer may see, newest first;
--          one patient's when $patient_id is set.
-- Grain: one row per acknowledged alert.
-- Parameters: $clinician_scope (clinician name, or null for everyone), $patient_id (or null for all)
with scoped_patients as (
    select patient_id
    from patients
    where ($clinician_scope is null or clinician = $clinician_scope)
        and ($patient_id is null or patient_id = $patient_id)
),

final as (
    select
        acks.patient_id,
        acks.rule,
        acks.date,
        acks.acknowledged_by,
        acks.acknowledged_at,
        acks.note
    from alert_acknowledgements as acks
    inner join scoped_patients using (patient_id)
    order by acknowledged_at desc, patient_id, rule, date
)

select * from final
