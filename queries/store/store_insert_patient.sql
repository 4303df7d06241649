-- Returns: nothing; stores one patient's metric_days over their whole programme up to $horizon.
-- Grain: one row per programme day of the patient.
-- Parameters: $patient_id (patient id), $horizon (date)
insert into metric_day_store
select * exclude (last_day)
from metric_days($horizon::date, null, $patient_id::varchar, null, null)
order by date
