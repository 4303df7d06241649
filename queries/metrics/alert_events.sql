-- Returns: the alert events of visible patients dated from $date_from to $date_to (either may be null for
--          unbounded; a null $date_to means $as_of), as of $as_of, optionally for one patient, each with the
--          last day of its run (until, up to $as_of). Sorted by date, patient_id, rule. Read from the
--          maintained events (metric_stored_events), which are metric_events' own rows on any as-of date.
-- Grain: one row per event.
-- Parameters: $as_of (date), $date_from (date or null), $date_to (date or null), $patient_id (patient id, or
--             null for every patient), $clinician_scope (clinician name, or null for everyone)
with events as (
    select patient_id, rule, date, until, severity, detail
    from metric_stored_events($as_of::date, $clinician_scope::varchar, $patient_id::varchar)
),

final as (
    select *
    from events
    where ($date_from::date is null or date >= $date_from::date)
        and date <= coalesce($date_to::date, $as_of::date)
    order by date, patient_id, rule
)

select * from final
