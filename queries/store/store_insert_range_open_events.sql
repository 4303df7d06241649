-- Returns: nothing; stores, for the patients whose ids are in [$first_patient, $last_patient], each alert
--          event as it stands on every day of its run up to $horizon, read from their stored days (which must
--          be computed first).
-- Grain: one row per event per day of its run, of each patient in the range.
-- Parameters: $first_patient (patient id), $last_patient (patient id), $horizon (date)
insert into metric_open_event_store
select seen, patient_id, rule, date, run_from, severity, detail
from metric_event_days(
    $horizon::date, null, null, first_patient := $first_patient::varchar, last_patient := $last_patient::varchar
)
order by seen, patient_id, rule
