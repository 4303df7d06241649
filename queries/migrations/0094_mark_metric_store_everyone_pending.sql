-- Returns: nothing; asks the next open to compute the whole clinic's maintained metrics again, so that the
--          open event store created by 0093 is filled.
-- Grain: one row.
-- Parameters: none
update metric_store_state set everyone_pending = true
