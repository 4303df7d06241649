-- Returns: the maintained metrics' horizon, whether the whole clinic waits for a refresh, and the distinct
--          patients that do.
-- Grain: one row.
-- Parameters: none
with pending as (
    select coalesce(list(distinct patient_id order by patient_id), []) as patient_ids
    from metric_store_pending
),

final as (
    select
        state.horizon,
        state.everyone_pending,
        pending.patient_ids
    from metric_store_state as state
    cross join pending
)

select * from final
