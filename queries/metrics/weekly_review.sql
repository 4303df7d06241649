-- Returns: the weekly review of ISO week W (Monday $week_start) as of $as_of, computed from the stored days:
--          metric_reviews' figures for W (adherence, reps and target, stage and readiness, mean morning pain
--          and W-1's, flare days, largest response, reference level, active rules and risk) with each
--          patient's name and clinician. A week whose Sunday is on or before $as_of is read from the store
--          instead (weekly_review_stored). Sorted red, amber, green, then patient_id.
-- Grain: one row per patient in the programme during W.
-- Parameters: $week_start (date, a Monday), $as_of (date), $clinician_scope (clinician name, or null for
--             everyone)
with figures as (
    select *
    from metric_reviews($as_of::date, $clinician_scope::varchar, null, $week_start::date, $week_start::date)
),

reviewed as (
    select
        figures.patient_id,
        patients.name,
        patients.clinician,
        metric_iso_week($week_start) as week,
        figures.* exclude (patient_id, week_start)
    from figures
    -- Names are joined to the review rows, not carried through the spine's windows.
    inner join patients on patients.patient_id = figures.patient_id
),

final as (
    select *
    from reviewed
    order by
        case risk when 'red' then 0 when 'amber' then 1 else 2 end,
        patient_id
)

select * from final
