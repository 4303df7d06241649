-- Returns: nothing; creates the sequence that numbers programme items in the order they were recorded.
-- Grain: one value per programme item row.
-- Parameters: none
create sequence programme_item_ids start 1
