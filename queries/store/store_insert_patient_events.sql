-- Returns: nothing; stores one patient's alert events as of $horizon, read from their stored days (which
--          must be computed first).
-- Grain: one row per event of the patient.
-- Parameters: $patient_id (patient id), $horizon (date)
insert into metric_event_store
select patient_id, rule, date, run_from, until, severity, detail
from metric_events($horizon::date, null, $patient_id::varchar)
order by date, rule
