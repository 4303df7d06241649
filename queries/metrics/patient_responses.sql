-- Returns: one patient's 24-hour responses: each loading day d from $date_from to $date_to (null = unbounded)
--          with M(d), M(d+1), the response M(d+1) - M(d), its status (metric_days: flare, elevated or
--          settled, against the reference level on d+1) and settled_36h; the response fields are
--          null when either morning is missing or d+1 is not a programme day up to $as_of.
-- Grain: one row per loading day.
-- Parameters: $patient_id (patient id), $as_of (date), $date_from (date or null), $date_to (date or null),
--             $clinician_scope (clinician name, or null for everyone)
-- From 14 days before the range, so that the usual level behind each status is the patient's whole one.
with days as (
    select *
    from metric_stored_days(
        $as_of::date, $clinician_scope::varchar, $patient_id::varchar, $date_from::date - 14, $date_to::date + 1
    )
),

-- The spine dates a response on the morning it is observed; this listing dates it on the loading day.
next_morning as (
    select
        date,
        loading_day,
        morning_pain as morning_before,
        lead(morning_pain) over by_day as morning_after,
        lead(response) over by_day as response,
        lead(response_status) over by_day as status,
        lead(settled_36h) over by_day as settled_36h
    from days
    window by_day as (order by date)
),

final as (
    select
        date,
        morning_before::double as morning_before,
        morning_after::double as morning_after,
        response::double as response,
        status,
        settled_36h
    from next_morning
    where loading_day
        and ($date_from::date is null or date >= $date_from::date)
        and ($date_to::date is null or date <= $date_to::date)
    order by date
)

select * from final
