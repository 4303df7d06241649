-- Returns: nothing; drops the maintained weekly review figures, which 0096 creates again with the columns the
--          review shows beside them (name, clinician, week label, risk order).
-- Grain: none.
-- Parameters: none
drop table metric_week_store
