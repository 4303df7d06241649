-- Returns: nothing; removes every maintained open event before the whole clinic is computed again.
-- Grain: the whole table.
-- Parameters: none
delete from metric_open_event_store
