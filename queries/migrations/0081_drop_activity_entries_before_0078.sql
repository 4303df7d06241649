-- Returns: nothing; drops activity_entries_before_0078, whose rows migration 0080 copied into the new
--          activity_entries.
-- Grain: one table dropped.
-- Parameters: none
drop table activity_entries_before_0078
