-- Returns: nothing; removes every maintained week before the whole clinic is computed again.
-- Grain: the whole table.
-- Parameters: none
delete from metric_week_store
