-- Returns: a macro giving the text with surrounding whitespace removed (spaces, tabs, line breaks and
--          no-break spaces, as spreadsheets leave them), or null when nothing else is left.
-- Grain: one value per call.
-- Parameters: none
create or replace macro blank_to_null(cell) as
    nullif(trim(cell, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13) || chr(160)), '')
