-- Returns: one patient's per-exercise adherence for ISO week W (Monday $week_start) up to $as_of: for each
--          programme item in effect on any of W's programme days, the days it was scheduled (in effect and
--          done on that weekday), the scheduled days on which that exercise (trimmed, case-insensitive) was
--          logged, and their ratio as a percentage (null when never scheduled).
-- Grain: one row per prescribed exercise.
-- Parameters: $patient_id (patient id), $week_start (date, a Monday), $as_of (date),
--             $clinician_scope (clinician name, or null for everyone)
with days as (
    select patient_id, date
    from metric_spine(
        $as_of::date, $clinician_scope::varchar, $patient_id::varchar, $week_start::date, $week_start::date + 6
    )
),

scheduled as (
    select
        items.exercise_key,
        days.date,
        arg_max(items.exercise, items.effective_from) as exercise,
        arg_max(items.stage, items.effective_from) as stage,
        bool_or(list_contains(items.weekdays, isodow(days.date))) as is_scheduled
    from days
    inner join metric_programme($clinician_scope::varchar, $patient_id::varchar) as items
        on items.patient_id = days.patient_id
        and days.date >= items.effective_from
        and (items.valid_until is null or days.date < items.valid_until)
    group by items.exercise_key, days.date
),

logged as (
    select distinct
        lower(trim(exercise)) as exercise_key,
        date
    from exercise_entries
    where patient_id = $patient_id
        and date between $week_start::date and $week_start::date + 6
        and date <= $as_of::date
),

final as (
    select
        arg_max(scheduled.exercise, scheduled.date) as exercise,
        arg_max(scheduled.stage, scheduled.date) as stage,
        count(*) filter (where scheduled.is_scheduled) as scheduled_days,
        count(*) filter (where scheduled.is_scheduled and logged.date is not null) as done_days,
        case
            when count(*) filter (where scheduled.is_scheduled) > 0 then
                round(
                    100.0 * count(*) filter (where scheduled.is_scheduled and logged.date is not null)
                    / count(*) filter (where scheduled.is_scheduled),
                    1
                )
        end as adherence_pct
    from scheduled
    left join logged on logged.exercise_key = scheduled.exercise_key and logged.date = scheduled.date
    group by scheduled.exercise_key
    order by exercise
)

select * from final
