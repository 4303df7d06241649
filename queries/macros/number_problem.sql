-- Returns: a macro giving the reason a cell is not a number in [low, high] (high may be null) with at most
--          max_decimals decimal places, or null; low_exclusive makes low itself invalid. Empty cells pass.
-- Grain: one value per call.
-- Parameters: none
create or replace macro number_problem(cell, low, high, low_exclusive, max_decimals) as
    case
        when nullif(trim(cell), '') is null then null
        when not regexp_full_match(trim(cell), '[+-]?(\d+(\.\d*)?|\.\d+)') then 'not a number'
        when (low_exclusive and try_cast(trim(cell) as double) <= low)
            or (not low_exclusive and try_cast(trim(cell) as double) < low)
            or try_cast(trim(cell) as double) > high then
            case
                when high is null and low_exclusive then format('must be more than {:g}', low::double)
                when high is null then format('must be {:g} or more', low)
                when low_exclusive then format('must be more than {:g} and at most {:g}', low::double, high::double)
                else format('must be between {:g} and {:g}', low::double, high::double)
            end
        when length(rtrim(regexp_extract(trim(cell), '\.(\d*)$', 1), '0')) > max_decimals then
            case when max_decimals = 0 then 'not a whole number' else format('at most {} decimal place', max_decimals) end
    end
