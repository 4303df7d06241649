-- Returns: nothing; records the last day the maintained metrics reach.
-- Grain: one row.
-- Parameters: $horizon (date)
update metric_store_state set horizon = $horizon::date
