-- Returns: every invalid cell in the staged programme rows (registered as staged_rows), with its line,
--          column, value and reason; no rows when the sheet is valid. Besides each cell's own rules, a line
--          that prescribes an exercise (names compared trimmed and case-insensitively) for a patient from a
--          date that an earlier line of the sheet also prescribes, with other details, is refused, naming
--          that earlier line.
-- Grain: one row per invalid cell.
-- Parameters: $import_patient_ids (ids that earlier sheets of this import add)

-- Every cell rule depends only on the cell's text (sets and reps also on whether the row stops the item),
-- so each distinct value is checked once and only lines holding a failing value are joined back.
-- The weekday rules are written again in typed_programme.sql, which stores the list in week order.
with weekdays as (
    select *
    from (
        values
            (1, 'mon', 'monday'),
            (2, 'tue', 'tuesday'),
            (3, 'wed', 'wednesday'),
            (4, 'thu', 'thursday'),
            (5, 'fri', 'friday'),
            (6, 'sat', 'saturday'),
            (7, 'sun', 'sunday')
    ) as weekdays (position, day, full_name)
),

day_lists as (
    select distinct days as cell
    from staged_rows
    where lower(days) not in ('daily', 'none') and days <> ''
),

-- A weekday is its name or its first three letters or more (mon, tues, Thursday), any letter case.
day_names as (
    select
        lists.cell,
        names.name_position,
        names.name,
        weekdays.position,
        weekdays.full_name
    from day_lists as lists
    cross join lateral (
        select
            lower(trim_whitespace(unnest(string_split(lists.cell, ',')))) as name,
            generate_subscripts(string_split(lists.cell, ','), 1) as name_position
    ) as names
    left join weekdays
        on length(names.name) >= 3 and starts_with(weekdays.full_name, names.name)
),

repeated_days as (
    select cell, min(position) as position
    from (
        select cell, position
        from day_names
        where position is not null
        group by cell, position
        having count(*) > 1
    )
    group by cell
),

day_list_problems as (
    select
        names.cell,
        case
            when bool_or(names.name = '') then 'a weekday is missing between commas'
            when bool_or(names.position is null) then
                format(
                    '{} is not a weekday',
                    '''' || list(names.name order by names.name_position) filter (where names.position is null)[1]
                    || ''''
                )
            when any_value(repeated.position) is not null then
                'names ' || any_value(repeated_weekday.full_name) || ' twice'
        end as problem
    from day_names as names
    left join repeated_days as repeated on repeated.cell = names.cell
    left join weekdays as repeated_weekday on repeated_weekday.position = repeated.position
    group by names.cell
),

day_problems as (
    select
        cell,
        problem || ': days must be daily, none, or weekdays separated by commas, like mon,wed,fri' as reason
    from day_list_problems
    where problem is not null
),

-- A row with days = none stops the item: its sets and reps may be 0.
counts as (
    select distinct sets, reps, coalesce(lower(days) = 'none', false) as stops
    from staged_rows
),

value_problems as (
    select 1 as position, 'patient_id' as column_name, cell, false as stops,
        patient_problem(cell, $import_patient_ids) as reason
    from (select distinct patient_id as cell from staged_rows)
    union all
    select 2, 'effective_from', cell, false, coalesce(required_problem(cell), date_problem(cell))
    from (select distinct effective_from as cell from staged_rows)
    union all
    select 3, 'exercise', cell, false, required_problem(cell)
    from (select distinct exercise as cell from staged_rows)
    union all
    select 4, 'stage', cell, false, coalesce(required_problem(cell), choice_problem(cell, stage_names()))
    from (select distinct stage as cell from staged_rows)
    union all
    select 5, 'sets', cell, stops,
        coalesce(
            required_problem(cell),
            case
                when not stops and try_cast(cell as double) = 0
                    then 'must be between 1 and 100 (0 only on a row whose days is none)'
            end,
            number_problem(cell, case when stops then 0 else 1 end, 100, false, 0)
        )
    from (select distinct sets as cell, stops from counts)
    union all
    select 6, 'reps', cell, stops,
        coalesce(
            required_problem(cell),
            case
                when not stops and try_cast(cell as double) = 0
                    then 'must be between 1 and 1000 (0 only on a row whose days is none)'
            end,
            number_problem(cell, case when stops then 0 else 1 end, 1000, false, 0)
        )
    from (select distinct reps as cell, stops from counts)
    union all
    select 7, 'days', cell, false, coalesce(required_problem(cell), day_problems.reason)
    from (select distinct days as cell from staged_rows)
    left join day_problems using (cell)
    union all
    select 8, 'hold_s', cell, false, number_problem(cell, 0, 3600, true, 1)
    from (select distinct hold_s as cell from staged_rows)
    union all
    select 9, 'load_kg', cell, false, number_problem(cell, 0, 1000, false, 2)
    from (select distinct load_kg as cell from staged_rows)
),

failing_values as (
    select * from value_problems
    where reason is not null
),

cell_problems as (
    select staged.line, failing.position, failing.column_name, failing.cell, failing.reason
    from staged_rows as staged
    inner join failing_values as failing
        on failing.position = 1 and staged.patient_id is not distinct from failing.cell
    union all
    select staged.line, failing.position, failing.column_name, failing.cell, failing.reason
    from staged_rows as staged
    inner join failing_values as failing
        on failing.position = 2 and staged.effective_from is not distinct from failing.cell
    union all
    select staged.line, failing.position, failing.column_name, failing.cell, failing.reason
    from staged_rows as staged
    inner join failing_values as failing
        on failing.position = 3 and staged.exercise is not distinct from failing.cell
    union all
    select staged.line, failing.position, failing.column_name, failing.cell, failing.reason
    from staged_rows as staged
    inner join failing_values as failing
        on failing.position = 4 and staged.stage is not distinct from failing.cell
    union all
    select staged.line, failing.position, failing.column_name, failing.cell, failing.reason
    from staged_rows as staged
    inner join failing_values as failing
        on failing.position = 5 and staged.sets is not distinct from failing.cell
        and coalesce(lower(staged.days) = 'none', false) = failing.stops
    union all
    select staged.line, failing.position, failing.column_name, failing.cell, failing.reason
    from staged_rows as staged
    inner join failing_values as failing
        on failing.position = 6 and staged.reps is not distinct from failing.cell
        and coalesce(lower(staged.days) = 'none', false) = failing.stops
    union all
    select staged.line, failing.position, failing.column_name, failing.cell, failing.reason
    from staged_rows as staged
    inner join failing_values as failing
        on failing.position = 7 and staged.days is not distinct from failing.cell
    union all
    select staged.line, failing.position, failing.column_name, failing.cell, failing.reason
    from staged_rows as staged
    inner join failing_values as failing
        on failing.position = 8 and staged.hold_s is not distinct from failing.cell
    union all
    select staged.line, failing.position, failing.column_name, failing.cell, failing.reason
    from staged_rows as staged
    inner join failing_values as failing
        on failing.position = 9 and staged.load_kg is not distinct from failing.cell
),

-- Each weekday list in week order, so that 'fri, Mon' and 'mon,fri' are the same prescription.
ordered_days as (
    select cell, string_agg(day, ',' order by position) as days
    from (select distinct names.cell, weekdays.day, weekdays.position
          from day_names as names
          inner join weekdays on weekdays.position = names.position)
    group by cell
),

-- Compared as they will be stored: the name as written (trimmed), numbers as numbers, days in week order.
-- Lines with a bad cell are left out: their problem is that cell.
prescriptions as (
    select
        staged.line,
        blank_to_null(staged.patient_id) as patient_id,
        lower(trim(blank_to_null(staged.exercise))) as exercise_key,
        try_cast(blank_to_null(staged.effective_from) as date) as effective_from,
        staged.exercise,
        (
            staged.exercise,
            lower(staged.stage),
            try_cast(blank_to_null(staged.sets) as double),
            try_cast(blank_to_null(staged.reps) as double),
            coalesce(ordered_days.days, lower(staged.days)),
            try_cast(blank_to_null(staged.hold_s) as double),
            try_cast(blank_to_null(staged.load_kg) as double)
        ) as details
    from staged_rows as staged
    left join ordered_days on ordered_days.cell = staged.days
    where staged.line not in (select line from cell_problems)
),

first_prescriptions as (
    select *
    from prescriptions
    qualify row_number() over (partition by patient_id, exercise_key, effective_from order by line) = 1
),

duplicate_problems as (
    select
        later.line,
        3 as position,
        'exercise' as column_name,
        later.exercise as cell,
        format(
            'line {} already prescribes this exercise for {} from {} with other details; a file may give one '
            || 'version of an exercise per patient and date',
            first.line, later.patient_id, strftime(later.effective_from, '%Y-%m-%d')
        ) as reason
    from prescriptions as later
    inner join first_prescriptions as first
        on later.patient_id = first.patient_id
        and later.exercise_key = first.exercise_key
        and later.effective_from = first.effective_from
        and later.line > first.line
    where later.details is distinct from first.details
),

final as (
    select line, column_name, cell, reason
    from (select * from cell_problems union all select * from duplicate_problems)
    order by line, position
)

select * from final
