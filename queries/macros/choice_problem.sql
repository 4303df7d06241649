-- Returns: a macro giving the reason a cell is not one of the allowed words (any letter case), or null.
--          Empty cells pass.
-- Grain: one value per call.
-- Parameters: none
create or replace macro choice_problem(cell, choices) as
    case
        when nullif(trim(cell), '') is null then null
        when not list_contains(choices, lower(trim(cell))) then 'must be one of: ' || array_to_string(choices, ', ')
    end
