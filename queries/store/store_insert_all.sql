-- Returns: nothing; stores every patient's metric_days over their whole programme up to $horizon, in patient
--          and date order (so a one-patient read skips most of the table).
-- Grain: one row per patient per programme day.
-- Parameters: $horizon (date)
insert into metric_day_store
select * exclude (last_day)
from metric_days($horizon::date, null, null, null, null)
order by patient_id, date
