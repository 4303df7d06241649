-- Returns: whether any visible patient (or $patient_id alone) has a maintained event dated on or before $as_of
--          whose run reaches $as_of: when none has, every event as of $as_of is stored exactly
--          (alert_events_ended), and the runs going on need not be computed (alert_events).
-- Grain: one value.
-- Parameters: $as_of (date), $patient_id (patient id, or null for every patient), $clinician_scope (clinician
--             name, or null for everyone)
with final as (
    select count(*) > 0 as going_on
    from metric_event_store as store
    inner join patients on patients.patient_id = store.patient_id
    where store.date <= $as_of::date
        and store.until >= $as_of::date
        and ($patient_id::varchar is null or store.patient_id = $patient_id::varchar)
        and ($clinician_scope::varchar is null or patients.clinician = $clinician_scope::varchar)
)

select * from final
