-- Returns: the number of patients updated (0 when the patient is outside the viewer's scope); sets the
--          stage and discharge date a clinician edits in the app (they are not effective-dated: a discharge
--          date is itself the date the programme ends).
-- Grain: at most one row updated.
-- Parameters: $clinician_scope (clinician name, or null for everyone), $patient_id, $stage (may be null),
--             $discharged_on (may be null)
update patients
set
    stage = $stage,
    discharged_on = $discharged_on
where patient_id = $patient_id
    and ($clinician_scope is null or clinician = $clinician_scope)
