-- Returns: the settings in effect on $day for one patient the viewer may see (metric_settings): daily rep
--          target, pain ceiling, flare threshold and acceptable morning pain (null = learn from mornings),
--          and the date that version took effect (null for the patients file's values, which hold from the
--          start). No row when the patient is not visible.
-- Grain: one row (at most).
-- Parameters: $patient_id (patient id), $day (date), $clinician_scope (clinician name, or null for everyone)
with versions as (
    select *
    from metric_settings($clinician_scope::varchar, $patient_id::varchar)
    where effective_from <= $day::date
),

final as (
    select
        patient_id,
        case when isfinite(effective_from) then effective_from end as effective_from,
        target as daily_rep_target,
        pain_ceiling::double as pain_ceiling,
        flare_threshold::double as flare_threshold,
        acceptable_pain::double as acceptable_pain
    from versions
    qualify row_number() over (order by effective_from desc) = 1
)

select * from final
