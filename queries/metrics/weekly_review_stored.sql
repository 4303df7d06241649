-- Returns: what weekly_review returns for ISO week W (Monday $week_start), read from metric_week_store: valid
--          only as of W's Sunday or later (metrics.weekly_review chooses), as a finished week's
--          figures are those of any later as-of date (metric_reviews). Sorted red, amber, green, then
--          patient_id.
-- Grain: one row per patient in the programme during W.
-- Parameters: $week_start (date, a Monday), $clinician_scope (clinician name, or null for everyone)
with figures as (
    select *
    from metric_week_store
    where week_start = $week_start::date
),

reviewed as (
    select
        figures.patient_id,
        patients.name,
        patients.clinician,
        metric_iso_week($week_start) as week,
        figures.* exclude (patient_id, week_start)
    from figures
    inner join patients on patients.patient_id = figures.patient_id
    where $clinician_scope::varchar is null or patients.clinician = $clinician_scope::varchar
),

final as (
    select *
    from reviewed
    order by
        case risk when 'red' then 0 when 'amber' then 1 else 2 end,
        patient_id
)

select * from final
