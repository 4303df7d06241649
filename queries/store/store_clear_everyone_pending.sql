-- Returns: nothing; forgets that the whole clinic waits for a refresh, once it is computed again.
-- Grain: one row.
-- Parameters: none
update metric_store_state set everyone_pending = false
