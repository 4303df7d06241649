-- Returns: nothing; stores one patient's alert events as each stands on every day of its run up to
--          $horizon, read from their stored days (which must be computed first).
-- Grain: one row per event per day of its run, of the patient.
-- Parameters: $patient_id (patient id), $horizon (date)
insert into metric_open_event_store
select seen, patient_id, rule, date, run_from, severity, detail
from metric_event_days($horizon::date, null, $patient_id::varchar)
order by seen, rule
