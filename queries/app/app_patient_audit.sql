-- Returns: the changes in the audit trail of one patient the viewer may see, newest first, for the settings
--          page (views and exports are left to `rehab audit`).
-- Grain: one row per recorded action.
-- Parameters: $clinician_scope (clinician name, or null for everyone), $patient_id
with scoped_patient as (
    select patient_id
    from patients
    where patient_id = $patient_id
        and ($clinician_scope is null or clinician = $clinician_scope)
),

final as (
    select
        audit.occurred_at,
        audit.actor,
        audit.action,
        audit.detail
    from audit_log as audit
    inner join scoped_patient using (patient_id)
    where audit.action not in ('patient_view', 'export')
    order by occurred_at desc
)

select * from final
