-- Returns: a macro giving the trimmed text, or null when the cell is empty.
-- Grain: one value per call.
-- Parameters: none
create or replace macro blank_to_null(cell) as nullif(trim(cell), '')
