-- Returns: one patient's programme days from $date_from to $date_to up to $as_of, with morning and evening pain,
--          daily reps, thresholds, the day's main exercise stage, the loading flag, the 24-hour response observed
--          that morning (from loading on the day before), whether the day is in a rising streak that raises an
--          alert, and the acute:chronic ratio (null before day 27 or without reps in the last 28 days).
-- Grain: one row per programme day.
-- Parameters: $patient_id (patient id), $as_of (date), $date_from (date), $date_to (date),
--             $clinician_scope (clinician name, or null for everyone)
with spine as (
    select *
    from metric_spine($as_of::date, $clinician_scope::varchar, $patient_id::varchar, $date_from::date - 101, null)
),

final as (
    select
        date,
        morning_pain::double as morning_pain,
        evening_pain::double as evening_pain,
        daily_reps,
        target,
        pain_ceiling::double as pain_ceiling,
        flare_threshold::double as flare_threshold,
        stage,
        loading_day,
        response::double as response,
        response_status,
        settled_36h,
        in_rising_streak,
        acute_chronic_ratio
    from spine
    where date between $date_from and $date_to
    order by date
)

select * from final
