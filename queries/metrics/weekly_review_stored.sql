-- Returns: what weekly_review returns for ISO week W (Monday $week_start), read from metric_week_store: valid
--          only as of W's Sunday or later (metrics.weekly_review chooses), as a finished week's
--          figures are those of any later as-of date (metric_reviews). Unordered, with risk_order:
--          metrics.REVIEW_ORDER sorts the rows (red, amber, green, then patient_id).
-- Grain: one row per patient in the programme during W.
-- Parameters: $week_start (date, a Monday), $clinician_scope (clinician name, or null for everyone)
with reviewed as (
    select *
    from metric_week_store
    where week_start = $week_start::date
        -- The stored clinician is the patient's own: a write that changes it refreshes their weeks.
        and ($clinician_scope::varchar is null or clinician = $clinician_scope::varchar)
),

final as (
    select * exclude (week_start)
    from reviewed
)

select * from final
