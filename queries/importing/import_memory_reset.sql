-- Returns: nothing; gives DuckDB back its default memory limit after a command-line import.
-- Grain: one setting, for the whole database.
-- Parameters: none
reset memory_limit
