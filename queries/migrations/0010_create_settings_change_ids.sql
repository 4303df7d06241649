-- Returns: nothing; creates the sequence that numbers settings changes in the order they were recorded.
-- Grain: one value per settings change.
-- Parameters: none
create sequence settings_change_ids start 1
