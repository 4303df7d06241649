-- Returns: a table macro giving the visible patients' alert events dated up to as_of, read from the maintained
--          metric_event_store: patient_id, rule, date, run_from, until cut to as_of, severity, and the stored
--          detail, which is the as-of date's own only when until is before as_of (a run still going on the
--          as-of date is described as of the horizon: alert_events computes those again). Every other column
--          equals metric_events' on any as-of date: an event is dated on its own day from days up to it, and a
--          run cut at as_of ends on as_of. The caller checks that as_of is within the store's horizon.
-- Grain: one row per event.
-- Parameters: none
create or replace macro metric_stored_events(as_of, clinician_scope, patient) as table
with visible as (
    select patient_id
    from patients
    where (clinician_scope is null or clinician = clinician_scope)
        and (patient is null or patient_id = patient)
),

final as (
    select
        store.patient_id,
        store.rule,
        store.date,
        store.run_from,
        least(store.until, as_of) as until,
        store.severity,
        store.detail
    from metric_event_store as store
    inner join visible on visible.patient_id = store.patient_id
    where store.date <= as_of
        and (patient is null or store.patient_id = patient)
)

select * from final
