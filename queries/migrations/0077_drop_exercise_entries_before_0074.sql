-- Returns: nothing; drops exercise_entries_before_0074, whose rows migration 0076 copied into the new
--          exercise_entries.
-- Grain: one table dropped.
-- Parameters: none
drop table exercise_entries_before_0074
