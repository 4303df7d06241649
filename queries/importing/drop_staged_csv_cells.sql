-- Returns: nothing; drops this cursor's staged CSV cells, freeing their memory.
-- Grain: one table.
-- Parameters: none
drop table if exists staged_csv_cells
