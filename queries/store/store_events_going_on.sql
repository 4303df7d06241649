-- Returns: whether any visible patient (or $patient_id alone) has a maintained event dated on or before $as_of
--          whose run reaches $as_of: when none has, every event as of $as_of is stored exactly
--          (alert_events_ended), and the runs going on need not be computed (alert_events).
-- Grain: one value.
-- Parameters: $as_of (date), $patient_id (patient id, or null for every patient), $clinician_scope (clinician
--             name, or null for everyone)
with final as (
    -- Their until is cut to $as_of, so reaching it is ending on it.
    select count(*) > 0 as going_on
    from metric_stored_events($as_of::date, $clinician_scope::varchar, $patient_id::varchar)
    where until >= $as_of::date
)

select * from final
