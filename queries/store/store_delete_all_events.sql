-- Returns: nothing; removes every maintained event before the whole clinic is computed again.
-- Grain: the whole table.
-- Parameters: none
delete from metric_event_store
