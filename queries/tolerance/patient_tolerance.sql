-- Returns: what one patient tolerates over loading days $date_from to $date_to, as of $as_of
--          (metric_tolerance): one row per load kind with kind, name, days_done, mean_response_with,
--          days_without, mean_response_without, difference, flares_with, dose and verdict, sorted likely
--          aggravating, no clear signal, well tolerated, not enough data; then by difference (largest first,
--          none last); then by name.
-- Grain: one row per load kind.
-- Parameters: $patient_id (patient id), $as_of (date), $date_from (date), $date_to (date),
--             $clinician_scope (clinician name, or null for everyone)
with kinds as (
    select *
    from metric_tolerance(
        $as_of::date, $clinician_scope::varchar, $patient_id::varchar, $date_from::date, $date_to::date
    )
),

final as (
    select
        kind,
        name,
        days_done,
        mean_response_with,
        days_without,
        mean_response_without,
        difference,
        flares_with,
        dose,
        verdict
    from kinds
    -- Rounded for the order only: two differences equal on paper can differ in a double's last bit.
    order by verdict_order, round(difference, 9) desc nulls last, lower(name), kind
)

select * from final
