-- Returns: nothing; removes one patient's maintained open events before they are computed again.
-- Grain: one patient.
-- Parameters: $patient_id (patient id)
delete from metric_open_event_store where patient_id = $patient_id
