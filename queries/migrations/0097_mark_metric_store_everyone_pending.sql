-- Returns: nothing; asks the next open to compute the whole clinic's maintained metrics again, so that the
--          week store created again by 0096 is filled.
-- Grain: one row.
-- Parameters: none
update metric_store_state set everyone_pending = true
