-- Returns: one patient's response days over loading days $date_from to $date_to, as of $as_of: each loading
--          day d whose 24-hour response exists, with the response, its status, that day's total reps and
--          total activity minutes; the dose-against-response scatter of the patient page.
-- Grain: one row per response day.
-- Parameters: $patient_id (patient id), $as_of (date), $date_from (date), $date_to (date),
--             $clinician_scope (clinician name, or null for everyone)
with days as (
    select *
    -- The maintained days, exact from any day on (metric_store.check_as_of brings them up to $as_of first).
    from metric_stored_days(
        $as_of::date, $clinician_scope::varchar, $patient_id::varchar, $date_from::date, $date_to::date + 1
    )
),

minutes as (
    select
        date,
        sum(duration_min)::double as activity_minutes
    from activity_entries
    where patient_id = $patient_id
        and date between $date_from and $date_to
    group by date
),

loading as (
    select
        date,
        daily_reps,
        lead(response) over by_day as response,
        lead(response_status) over by_day as status
    from days
    window by_day as (order by date)
),

final as (
    select
        loading.date,
        loading.response::double as response,
        loading.status,
        loading.daily_reps as total_reps,
        coalesce(minutes.activity_minutes, 0) as activity_minutes
    from loading
    left join minutes on minutes.date = loading.date
    where loading.response is not null
        and loading.date between $date_from and $date_to
    order by loading.date
)

select * from final
