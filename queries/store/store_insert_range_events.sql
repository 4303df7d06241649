-- Returns: nothing; stores the alert events as of $horizon of the patients whose ids are in [$first_patient,
--          $last_patient], read from their stored days (which must be computed first).
-- Grain: one row per event of each patient in the range.
-- Parameters: $first_patient (patient id), $last_patient (patient id), $horizon (date)
insert into metric_event_store
select patient_id, rule, date, run_from, until, severity, detail
from metric_events(
    $horizon::date, null, null, first_patient := $first_patient::varchar, last_patient := $last_patient::varchar
)
order by date, patient_id, rule
