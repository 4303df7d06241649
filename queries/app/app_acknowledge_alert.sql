-- Returns: the number of acknowledgements stored (0 when the alert was already acknowledged or the patient
--          is outside the viewer's scope).
-- Grain: at most one row inserted.
-- Parameters: $clinician_scope (clinician name, or null for everyone), $patient_id, $rule, $date,
--             $acknowledged_by, $note (may be null)
insert into alert_acknowledgements (patient_id, rule, date, acknowledged_by, note)
select patient_id, $rule, $date, $acknowledged_by, $note
from patients
where patient_id = $patient_id
    and ($clinician_scope is null or clinician = $clinician_scope)
on conflict do nothing
