-- Returns: nothing; adds the state's one row, with no horizon yet: the next open fills the store.
-- Grain: one row.
-- Parameters: none
insert into metric_store_state (horizon) values (null)
