-- Returns: the last day the maintained metrics reach (null: never filled).
-- Grain: one value.
-- Parameters: none
select horizon from metric_store_state
