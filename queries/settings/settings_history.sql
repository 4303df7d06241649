-- Returns: one patient's settings history for a patient the viewer may see: first the patients file's values
--          (holding from start_date), then every recorded change in the order it was recorded, with the
--          settings it changed (null = left as it was; sets_acceptable_pain says whether acceptable_pain
--          changed, and null there means "learn from mornings"), who changed it, when and why.
-- Grain: one row per settings version (the file's, then one per change).
-- Parameters: $patient_id (patient id), $clinician_scope (clinician name, or null for everyone)
with visible as (
    select *
    from patients
    where patient_id = $patient_id
        and ($clinician_scope::varchar is null or clinician = $clinician_scope)
),

from_file as (
    select
        0::bigint as change_id,
        start_date as effective_from,
        'patients file' as source,
        daily_rep_target,
        pain_ceiling::double as pain_ceiling,
        flare_threshold::double as flare_threshold,
        true as sets_acceptable_pain,
        acceptable_pain::double as acceptable_pain,
        null::varchar as changed_by,
        null::timestamptz as changed_at,
        null::varchar as reason
    from visible
),

changes as (
    select
        changes.change_id,
        changes.effective_from,
        'change' as source,
        changes.daily_rep_target,
        changes.pain_ceiling::double as pain_ceiling,
        changes.flare_threshold::double as flare_threshold,
        changes.sets_acceptable_pain,
        changes.acceptable_pain::double as acceptable_pain,
        changes.changed_by,
        changes.changed_at,
        changes.reason
    from settings_changes as changes
    inner join visible on visible.patient_id = changes.patient_id
),

final as (
    select * from from_file
    union all
    select * from changes
    order by change_id
)

select * from final
