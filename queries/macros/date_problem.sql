-- Returns: a macro giving the reason a cell is not an ISO date (YYYY-MM-DD), or null; empty cells pass.
-- Grain: one value per call.
-- Parameters: none
create or replace macro date_problem(cell) as
    case
        when nullif(trim(cell), '') is null then null
        when not regexp_full_match(trim(cell), '\d{4}-\d{2}-\d{2}') then 'not a date in YYYY-MM-DD form'
        when try_strptime(trim(cell), '%Y-%m-%d') is null then 'no such date'
        -- Year 0 parses (as 1 BC) but no Python date can hold it: the app would fail reading it back.
        when starts_with(trim(cell), '0000') then 'no such date'
    end
