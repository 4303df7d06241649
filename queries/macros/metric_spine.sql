-- Returns: a table macro giving metric_days plus in_rising_streak: whether the day belongs to a rising streak
--          that raises an alert (at least three mornings on consecutive days, each above the one before, rising by
--          at least the flare threshold in total). See metric_days for the range rules.
-- Grain: one row per patient per programme day.
-- Parameters: none
create or replace macro metric_spine(as_of, clinician_scope, patient, day_from, day_to) as table
with days as (
    select * from metric_days(as_of, clinician_scope, patient, day_from, day_to)
),

-- Rising days on consecutive dates belong to one streak, so date - row number names the streak (gaps and
-- islands); the streak also holds the morning before its first rise.
rising as (
    select
        patient_id,
        date,
        morning_pain,
        prev_morning,
        flare_threshold,
        date - cast(row_number() over (partition by patient_id order by date) as integer) as island
    from days
    where rises
),

streaks as (
    select
        patient_id,
        min(date) - 1 as first_day,
        max(date) as last_day
    from rising
    group by patient_id, island
    having count(*) >= 2 and max(morning_pain) - arg_min(prev_morning, date) >= any_value(flare_threshold)
),

final as (
    select
        days.*,
        streaks.patient_id is not null as in_rising_streak
    from days
    left join streaks
        on streaks.patient_id = days.patient_id and days.date between streaks.first_day and streaks.last_day
    order by days.patient_id, days.date
)

select * from final
