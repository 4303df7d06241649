-- Returns: a macro giving a staged cell's text, or null when the cell is empty.
-- Grain: one value per call.
-- Parameters: none
create or replace macro blank_to_null(cell) as
    -- Staging has already trimmed every cell (notes, kept as written, are never passed here) of every kind
    -- of whitespace, so only emptiness is left to check; trim() here cost seconds on a large sheet.
    nullif(cell, '')
