-- Returns: the ISO weeks from the earliest programme start to the last week whose Sunday is on or before
--          $horizon, cut into consecutive ranges of $range_weeks weeks (first_week, last_week: Mondays): a
--          clinic-wide refresh computes the weeks of every patient one range per statement, so its memory is
--          a range's days and the stored weeks lie in week order.
-- Grain: one row per range.
-- Parameters: $horizon (date), $range_weeks (integer)
with bounds as (
    select
        min(date_trunc('week', start_date))::date as first_week,
        date_trunc('week', $horizon::date - 6)::date as last_week
    from patients
),

starts as (
    select
        unnest(generate_series(first_week, last_week, to_days(7 * $range_weeks::integer)))::date as first_week,
        last_week
    from bounds
    where first_week <= last_week
),

final as (
    select
        first_week,
        least(first_week + 7 * ($range_weeks::integer - 1), last_week) as last_week
    from starts
    order by first_week
)

select * from final
