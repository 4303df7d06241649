-- Returns: nothing; removes every maintained day before the whole clinic is computed again.
-- Grain: the whole table.
-- Parameters: none
delete from metric_day_store
