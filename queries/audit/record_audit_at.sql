-- Returns: nothing; appends one row to the audit trail at a given time (the clock the caller passes).
-- Grain: one row inserted.
-- Parameters: $occurred_at, $actor, $action, $patient_id (may be null), $detail (may be null)
insert into audit_log (occurred_at, actor, action, patient_id, detail)
values ($occurred_at, $actor, $action, $patient_id, $detail)
