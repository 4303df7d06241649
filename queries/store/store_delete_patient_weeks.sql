-- Returns: nothing; removes one patient's maintained weeks before they are computed again.
-- Grain: one patient.
-- Parameters: $patient_id (patient id)
delete from metric_week_store where patient_id = $patient_id
