-- Returns: the new item's id; records one programme item version set by a clinician (in the app or the
--          CLI) for a patient the viewer may see; no row when the patient is not visible.
-- Grain: at most one row inserted.
-- Parameters: $patient_id, $effective_from (date), $exercise, $stage, $sets, $reps, $days (normalised),
--             $hold_s, $load_kg (each may be null), $recorded_by, $reason (may be null), $clinician_scope
--             (clinician name, or null for everyone)
insert into programme_items (
    patient_id, effective_from, exercise, stage, sets, reps, hold_s, load_kg, days, recorded_by, reason
)
select
    patient_id,
    $effective_from,
    $exercise,
    $stage,
    $sets,
    $reps,
    $hold_s,
    $load_kg,
    $days,
    $recorded_by,
    $reason
from patients
where patient_id = $patient_id
    and ($clinician_scope::varchar is null or clinician = $clinician_scope)
returning item_id
