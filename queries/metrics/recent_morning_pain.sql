-- Returns: visible patients' morning pain (highest score of the morning) on each programme day with a morning
--          score from $start to $end, in long form for sparklines; days without a score have no row.
-- Grain: one row per patient per programme day with a morning score.
-- Parameters: $start (date), $end (date), $clinician_scope (clinician name, or null for everyone)
-- The maintained days (metric_store.check_as_of brings them up to $end first): a read, not a computation.
with days as (
    select *
    from metric_stored_days($end::date, $clinician_scope::varchar, null, $start::date, $end::date)
),

final as (
    select
        patient_id,
        date,
        morning_pain::double as morning_pain
    from days
    where morning_pain is not null
    order by patient_id, date
)

select * from final
