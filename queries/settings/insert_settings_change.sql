-- Returns: the new change's id; records one effective-dated settings change (null settings are left as they
--          were) for a patient the viewer may see; no row when the patient is not visible.
-- Grain: at most one row inserted.
-- Parameters: $patient_id, $effective_from (date), $daily_rep_target, $pain_ceiling, $flare_threshold (each may be
--             null), $sets_acceptable_pain (boolean), $acceptable_pain (may be null), $changed_by, $reason (may be
--             null), $clinician_scope (clinician name, or null for everyone)
insert into settings_changes (
    patient_id, effective_from, daily_rep_target, pain_ceiling, flare_threshold, sets_acceptable_pain,
    acceptable_pain, changed_by, reason
)
select
    patient_id,
    $effective_from,
    $daily_rep_target,
    $pain_ceiling,
    $flare_threshold,
    $sets_acceptable_pain,
    $acceptable_pain,
    $changed_by,
    $reason
from patients
where patient_id = $patient_id
    and ($clinician_scope::varchar is null or clinician = $clinician_scope)
returning change_id
