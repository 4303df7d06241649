-- Returns: the maintained metrics' horizon, whether the whole clinic waits for a refresh, the distinct
--          patients that do, and how many patients the clinic holds (clinic_patients).
-- Grain: one row.
-- Parameters: none
with pending as (
    select coalesce(list(distinct patient_id order by patient_id), []) as patient_ids
    from metric_store_pending
),

clinic as (
    select count(*) as clinic_patients
    from patients
),

final as (
    select
        state.horizon,
        state.everyone_pending,
        pending.patient_ids,
        clinic.clinic_patients
    from metric_store_state as state
    cross join pending
    cross join clinic
)

select * from final
