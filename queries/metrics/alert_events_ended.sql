-- Returns: what alert_events returns, when no run of the visible patients (or $patient_id alone) goes on on
--          $as_of (store_events_going_on): every event is then read as stored, without computing any.
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
