-- Returns: the least-squares line of one patient's 24-hour response on that day's total reps over loading
--          days $date_from to $date_to, as of $as_of (the dose_response points): slope, intercept and the
--          number of points; slope and intercept are null with fewer than $min_points points or one dose.
-- Grain: one row.
-- Parameters: $patient_id (patient id), $as_of (date), $date_from (date), $date_to (date), $min_points (count),
--             $clinician_scope (clinician name, or null for everyone)
with points as (
    select *
    -- The maintained days, exact from any day on (metric_store.check_as_of brings them up to $as_of first).
    from metric_stored_days(
        $as_of::date, $clinician_scope::varchar, $patient_id::varchar, $date_from::date, $date_to::date + 1
    )
),

pairs as (
    select
        date,
        daily_reps::double as total_reps,
        lead(response) over (order by date)::double as response
    from points
),

fitted as (
    select
        count(*) as points,
        regr_slope(response, total_reps) as slope,
        regr_intercept(response, total_reps) as intercept
    from pairs
    where response is not null
        and date between $date_from and $date_to
),

final as (
    select
        points,
        case when points >= $min_points then slope end as slope,
        case when points >= $min_points then intercept end as intercept
    from fitted
)

select * from final
