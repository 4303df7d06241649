-- Returns: every invalid cell in the staged patients rows (registered as staged_rows), with its line,
--          column, value and reason; no rows when the sheet is valid.
-- Grain: one row per invalid cell.
-- Parameters: none
with staged as (
    select * from staged_rows
),

duplicate_ids as (
    -- The same patient twice in one file is fine only when both rows say the same thing.
    select
        blank_to_null(patient_id) as patient_id,
        min(line) as first_line
    from staged
    where blank_to_null(patient_id) is not null
    group by 1
    -- Compared as they will be stored (trimmed, numbers as numbers, blanks given their defaults), so that
    -- 'Ann ' and 'Ann', or 90 and 90.0, are the same details.
    having count(distinct (
        blank_to_null(name),
        blank_to_null(clinician),
        blank_to_null(condition),
        coalesce(try_cast(blank_to_null(start_date) as date)::varchar, start_date),
        coalesce(try_cast(blank_to_null(daily_rep_target) as double), 90),
        coalesce(try_cast(blank_to_null(pain_ceiling) as double), 5),
        coalesce(try_cast(blank_to_null(flare_threshold) as double), 2),
        coalesce(try_cast(blank_to_null(discharged_on) as date)::varchar, discharged_on),
        try_cast(blank_to_null(acceptable_pain) as double)
    )) > 1
),

cell_problems as (
    select line, 1 as position, 'patient_id' as column_name, patient_id as cell,
        required_problem(patient_id) as reason
    from staged
    union all
    select line, 5, 'start_date', start_date, coalesce(required_problem(start_date), date_problem(start_date))
    from staged
    union all
    select line, 6, 'daily_rep_target', daily_rep_target, number_problem(daily_rep_target, 1, 10000, false, 0)
    from staged
    union all
    select line, 7, 'pain_ceiling', pain_ceiling, number_problem(pain_ceiling, 0, 10, false, 1)
    from staged
    union all
    select line, 8, 'flare_threshold', flare_threshold, number_problem(flare_threshold, 0, 10, true, 1)
    from staged
    union all
    select line, 9, 'discharged_on', discharged_on,
        coalesce(
            date_problem(discharged_on),
            case
                when date_problem(start_date) is null
                    and try_cast(blank_to_null(discharged_on) as date) < try_cast(blank_to_null(start_date) as date)
                    then 'discharge date is before start_date ' || blank_to_null(start_date)
            end
        )
    from staged
    union all
    select line, 10, 'acceptable_pain', acceptable_pain, number_problem(acceptable_pain, 0, 10, false, 1)
    from staged
),

duplicate_problems as (
    select
        staged.line,
        1 as position,
        'patient_id' as column_name,
        staged.patient_id as cell,
        'patient appears again with different details (first on line ' || duplicate_ids.first_line || ')' as reason
    from staged
    inner join duplicate_ids on blank_to_null(staged.patient_id) = duplicate_ids.patient_id
    where staged.line > duplicate_ids.first_line
),

final as (
    select line, column_name, cell, reason
    from (select * from cell_problems union all select * from duplicate_problems)
    where reason is not null
    order by line, position
)

select * from final
