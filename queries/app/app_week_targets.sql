-- Returns: each visible patient's summed daily rep target over ISO week W's programme days (Monday
--          $week_start) up to $as_of, each day's target the one in effect that day (metric_spine), and the
--          reps done on those days, so the review can show reps against the week's target (over 100 % is
--          more than prescribed, which the capped adherence hides).
-- Grain: one row per patient with a programme day in W up to $as_of.
-- Parameters: $week_start (date, a Monday), $as_of (date), $clinician_scope (clinician name, or null for everyone)
with days as (
    select
        patient_id,
        daily_reps,
        target
    from metric_spine(
        $as_of::date, $clinician_scope::varchar, null, $week_start::date, $week_start::date + 6
    )
),

final as (
    select
        patient_id,
        sum(target)::bigint as week_target,
        sum(daily_reps)::bigint as week_reps
    from days
    group by patient_id
    order by patient_id
)

select * from final
