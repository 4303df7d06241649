-- Returns: a table macro giving each visible patient's settings versions: from each effective date on, the
--          daily rep target, pain ceiling, flare threshold and acceptable morning pain in effect until the
--          next version. The patients file's values are the first version and hold from the start (dated
--          -infinity, so a change dated before start_date still wins from its date); each settings change
--          overrides only the settings it names and carries the others forward. Among changes dated the same
--          day the one recorded last wins. acceptable_pain null means "learn it from the patient's mornings".
--          valid_until is the next version's effective date (exclusive; null for the latest).
-- Grain: one row per patient per effective date.
-- Parameters: none
create or replace macro metric_settings(clinician_scope, patient) as table
with visible as (
    select *
    from metric_visible_patients(clinician_scope, patient)
),

-- A struct keeps "set to learn" (a struct holding null) apart from "not changed" (no struct at all).
versions as (
    select
        patient_id,
        '-infinity'::date as effective_from,
        0::bigint as change_id,
        daily_rep_target,
        pain_ceiling,
        flare_threshold,
        {'value': acceptable_pain} as acceptable
    from visible
    union all
    select
        changes.patient_id,
        changes.effective_from,
        changes.change_id,
        changes.daily_rep_target,
        changes.pain_ceiling,
        changes.flare_threshold,
        case when changes.sets_acceptable_pain then {'value': changes.acceptable_pain} end as acceptable
    from settings_changes as changes
    inner join visible on visible.patient_id = changes.patient_id
),

carried as (
    select
        patient_id,
        effective_from,
        change_id,
        last_value(daily_rep_target ignore nulls) over history as target,
        last_value(pain_ceiling ignore nulls) over history as pain_ceiling,
        last_value(flare_threshold ignore nulls) over history as flare_threshold,
        last_value(acceptable ignore nulls) over history as acceptable
    from versions
    window history as (
        partition by patient_id order by effective_from, change_id rows between unbounded preceding and current row
    )
),

latest as (
    select *
    from carried
    qualify row_number() over (partition by patient_id, effective_from order by change_id desc) = 1
),

final as (
    select
        patient_id,
        effective_from,
        -- The next version's date (exclusive), so that a day finds its version by a range, not a scan.
        lead(effective_from) over (partition by patient_id order by effective_from) as valid_until,
        target,
        pain_ceiling,
        flare_threshold,
        acceptable.value as acceptable_pain
    from latest
)

select * from final
