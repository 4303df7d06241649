-- Returns: nothing; records that a write touched the whole clinic.
-- Grain: one row.
-- Parameters: none
update metric_store_state set everyone_pending = true
