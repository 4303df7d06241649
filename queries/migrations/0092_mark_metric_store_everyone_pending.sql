-- Returns: nothing; asks the next open to compute the whole clinic's maintained metrics again, so that the
--          event and week stores created by 0090 and 0091 are filled in a database whose day store is
--          already current.
-- Grain: one row.
-- Parameters: none
update metric_store_state set everyone_pending = true
