-- Returns: nothing; appends one row to the audit trail.
-- Grain: one row inserted.
-- Parameters: $actor, $action, $patient_id (may be null), $detail (may be null)
insert into audit_log (actor, action, patient_id, detail) values ($actor, $action, $patient_id, $detail)
