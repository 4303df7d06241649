-- Returns: a table macro giving the alert events of visible patients as of as_of: patient_id, rule, the day
--          each is dated on, the first and last days it covers (run_from, until: the last day of its run up
--          to as_of) and a detail sentence. Each is its metric_event_days row on its run's last day (the
--          rules are defined there). Optionally only the patients whose ids are in [first_patient,
--          last_patient] (a refresh's range).
-- Grain: one row per event.
-- Parameters: none
create or replace macro metric_events(
    as_of, clinician_scope, patient, first_patient := null, last_patient := null
) as table
with final as (
    select
        patient_id,
        rule,
        date,
        run_from,
        run_until as until,
        severity,
        final_detail as detail
    from metric_event_days(
        as_of, clinician_scope, patient, first_patient := first_patient, last_patient := last_patient
    )
    where seen = run_until
)

select * from final
