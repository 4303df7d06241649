-- Returns: the number of patients updated (0 when the patient is outside the viewer's scope); sets the
--          programme settings a clinician edits in the app.
-- Grain: at most one row updated.
-- Parameters: $clinician_scope (clinician name, or null for everyone), $patient_id, $daily_rep_target,
--             $pain_ceiling, $flare_threshold, $stage (may be null), $discharged_on (may be null)
update patients
set
    daily_rep_target = $daily_rep_target,
    pain_ceiling = $pain_ceiling,
    flare_threshold = $flare_threshold,
    stage = $stage,
    discharged_on = $discharged_on
where patient_id = $patient_id
    and ($clinician_scope is null or clinician = $clinician_scope)
