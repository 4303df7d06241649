-- Returns: a macro giving the reason a required cell is invalid (missing), or null.
-- Grain: one value per call.
-- Parameters: none
create or replace macro required_problem(cell) as
    case when nullif(trim(cell), '') is null then 'required value is missing' end
