-- Returns: the weekly review of ISO week W (Monday $week_start) as of $as_of, computed from the stored days:
--          metric_reviews' figures for W (adherence, reps and target, stage and readiness, mean morning pain
--          and W-1's, flare days, largest response, reference level, active rules and risk) with each
--          patient's name and clinician. A week whose Sunday is on or before $as_of is read from the store
--          instead (weekly_review_stored). Unordered, with risk_order: metrics.REVIEW_ORDER sorts the rows
--          (red, amber, green, then patient_id).
-- Grain: one row per patient in the programme during W.
-- Parameters: $week_start (date, a Monday), $as_of (date), $clinician_scope (clinician name, or null for
--             everyone)
with reviewed as (
    select *
    from metric_reviews($as_of::date, $clinician_scope::varchar, null, $week_start::date, $week_start::date)
),

final as (
    select * exclude (week_start)
    from reviewed
)

select * from final
