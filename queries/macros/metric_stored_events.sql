-- Returns: a table macro giving what metric_events gives (same columns), read from the maintained events
--          instead of computed: the visible patients' alert events dated up to as_of. An event whose run ended
--          before as_of is its metric_event_store row (as of the horizon, which is any later as-of date's: the
--          run is over); an event whose run goes on on as_of is its metric_open_event_store row of that day
--          (until = as_of). The caller checks that as_of is within the store's horizon.
-- Grain: one row per event.
-- Parameters: none
create or replace macro metric_stored_events(as_of, clinician_scope, patient) as table
with visible as (
    select patient_id
    from metric_visible_patients(clinician_scope, patient)
),

ended as (
    select patient_id, rule, date, run_from, until, severity, detail
    from metric_event_store
    where until < as_of
        and (patient is null or patient_id = patient)
),

going_on as (
    select patient_id, rule, date, run_from, seen as until, severity, detail
    from metric_open_event_store
    where seen = as_of
        and (patient is null or patient_id = patient)
),

events as (
    select * from ended
    union all
    select * from going_on
),

final as (
    select events.*
    from events
    inner join visible on visible.patient_id = events.patient_id
)

select * from final
