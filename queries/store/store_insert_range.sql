-- Returns: nothing; stores the metric_days of the patients whose ids are in [$first_patient, $last_patient]
--          over their whole programme up to $horizon (the patient filter reaches below every window, whose
--          partitions are patients), in patient order, so that a read of one patient skips the other row
--          groups.
-- Grain: one row per programme day of each patient in the range.
-- Parameters: $first_patient (patient id), $last_patient (patient id), $horizon (date)
insert into metric_day_store
select * exclude (last_day)
from metric_days($horizon::date, null, null, null, null)
where patient_id between $first_patient and $last_patient
order by patient_id, date
