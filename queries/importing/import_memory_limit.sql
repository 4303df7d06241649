-- Returns: nothing; caps DuckDB's own memory while a command-line import runs, so that large sorts and
--          joins spill to the database's temporary folder (owner-only) and stored blocks are let go.
-- Grain: one setting, for the whole database (only a process running nothing but the import sets it).
-- Parameters: none
set memory_limit = '1GB'
