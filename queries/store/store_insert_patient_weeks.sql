-- Returns: nothing; stores one patient's weekly review figures (metric_reviews) for every week of their
--          programme whose Sunday is on or before $horizon, read from their stored days and events (which
--          must be computed first).
-- Grain: one row per finished week of the patient.
-- Parameters: $patient_id (patient id), $horizon (date)
insert into metric_week_store
select *
from metric_reviews(
    $horizon::date, null, $patient_id::varchar,
    (select date_trunc('week', start_date)::date from patients where patient_id = $patient_id::varchar),
    date_trunc('week', $horizon::date - 6)::date
)
order by week_start
