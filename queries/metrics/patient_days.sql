-- Returns: one patient's programme days from $date_from to $date_to up to $as_of, with morning and evening pain,
--          daily reps, the settings in effect that day, the usual and reference morning levels, the day's main
--          exercise stage, the loading flag, the 24-hour response observed that morning (from loading on the
--          day before), whether the day is in a rising run that raised an alert, and the acute:chronic ratio
--          (null before day 27 or without reps in the last 28 days).
-- Grain: one row per programme day.
-- Parameters: $patient_id (patient id), $as_of (date), $date_from (date), $date_to (date),
--             $clinician_scope (clinician name, or null for everyone)
with days as (
    select *
    from metric_stored_days($as_of::date, $clinician_scope::varchar, $patient_id::varchar, $date_from::date, null)
),

-- The days of the rising runs that raised an alert, from the run's first morning to its last rising one.
streak_days as (
    select distinct
        cast(unnest(range(run_from, until + 1, interval 1 day)) as date) as date
    -- A run's first day and its until cut to the as-of date are exact as stored.
    from metric_stored_events($as_of::date, $clinician_scope::varchar, $patient_id::varchar)
    where rule = 'rising_streak' and until >= $date_from
),

final as (
    select
        days.date,
        morning_pain::double as morning_pain,
        evening_pain::double as evening_pain,
        daily_reps,
        target,
        pain_ceiling::double as pain_ceiling,
        flare_threshold::double as flare_threshold,
        acceptable_pain::double as acceptable_pain,
        usual_pain::double as usual_pain,
        reference_pain::double as reference_pain,
        stage,
        on_programme,
        prescribed_stage,
        loading_day,
        response::double as response,
        response_status,
        settled_36h,
        streak_days.date is not null as in_rising_streak,
        acute_chronic_ratio
    from days
    left join streak_days on streak_days.date = days.date
    where days.date between $date_from and $date_to
    order by days.date
)

select * from final
