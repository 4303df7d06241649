-- Returns: nothing; drops pain_entries_before_0070, whose rows migration 0072 copied into the new
--          pain_entries.
-- Grain: one table dropped.
-- Parameters: none
drop table pain_entries_before_0070
