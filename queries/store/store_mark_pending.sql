-- Returns: nothing; records the patients a write touched, whose maintained days must be computed again.
-- Grain: one row per patient.
-- Parameters: $patient_ids (list of patient ids)
insert into metric_store_pending (patient_id)
select unnest($patient_ids::varchar[])
