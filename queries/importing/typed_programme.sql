-- Returns: the validated staged programme rows (staged_rows) as typed values, stage lower-cased and days
--          stored normalised: 'daily', 'none', or the weekdays in week order like 'mon,wed,fri'.
-- Grain: one row per line of the sheet.
-- Parameters: none

-- The weekday rules are validate_programme.sql's: a weekday is its name or its first three letters or more.
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

staged as (
    select * from staged_rows
),

day_lists as (
    select distinct days as cell
    from staged
    where lower(days) not in ('daily', 'none')
),

ordered_days as (
    select lists.cell, string_agg(weekdays.day, ',' order by weekdays.position) as days
    from day_lists as lists
    cross join lateral (
        select lower(trim_whitespace(unnest(string_split(lists.cell, ',')))) as name
    ) as names
    inner join weekdays
        on length(names.name) >= 3 and starts_with(weekdays.full_name, names.name)
    group by lists.cell
),

final as (
    select
        staged.line,
        blank_to_null(staged.patient_id) as patient_id,
        cast(blank_to_null(staged.effective_from) as date) as effective_from,
        blank_to_null(staged.exercise) as exercise,
        lower(blank_to_null(staged.stage)) as stage,
        cast(cast(blank_to_null(staged.sets) as double) as integer) as sets,
        cast(cast(blank_to_null(staged.reps) as double) as integer) as reps,
        coalesce(ordered_days.days, lower(staged.days)) as days,
        cast(blank_to_null(staged.hold_s) as double) as hold_s,
        cast(blank_to_null(staged.load_kg) as double) as load_kg
    from staged
    left join ordered_days on ordered_days.cell = staged.days
)

select * from final
