-- Returns: nothing; stores the weekly review figures (metric_reviews) of every patient for the weeks from
--          $first_week to $last_week (Mondays; each Sunday on or before $horizon), read from the stored days
--          and events (which must be computed first), in week order, so that a read of one week skips the
--          other row groups.
-- Grain: one row per patient per week in the range.
-- Parameters: $first_week (date), $last_week (date), $horizon (date)
insert into metric_week_store
select *
from metric_reviews($horizon::date, null, null, $first_week::date, $last_week::date)
order by week_start, patient_id
