-- Returns: the alert events of visible patients dated from $date_from to $date_to (either may be null for
--          unbounded; a null $date_to means $as_of), computed from data up to $as_of, optionally for one
--          patient, each with the last day of its run (until, up to $as_of). Sorted by date, patient_id, rule.
--          Events whose run ended before $as_of are read as stored (metric_stored_events); the runs still going
--          on $as_of, and whatever else ends on it, are computed from the stored days (metric_events from
--          $as_of on, which reads such a run's earlier days too), so both halves are metric_events' own rows.
-- Grain: one row per event.
-- Parameters: $as_of (date), $date_from (date or null), $date_to (date or null), $patient_id (patient id, or
--             null for every patient), $clinician_scope (clinician name, or null for everyone)
with ended as (
    select patient_id, rule, date, until, severity, detail
    from metric_stored_events($as_of::date, $clinician_scope::varchar, $patient_id::varchar)
    where until < $as_of::date
),

going_on as (
    select patient_id, rule, date, until, severity, detail
    from metric_events($as_of::date, $clinician_scope::varchar, $patient_id::varchar, $as_of::date)
    where until >= $as_of::date
),

events as (
    select * from ended
    union all
    select * from going_on
),

final as (
    select
        patient_id,
        rule,
        date,
        until,
        severity,
        detail
    from events
    where ($date_from::date is null or date >= $date_from::date)
        and date <= coalesce($date_to::date, $as_of::date)
    order by date, patient_id, rule
)

select * from final
