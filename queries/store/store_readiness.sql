-- Returns: the maintained metrics' horizon and whether anyone waits for a refresh (the whole clinic, or any
--          patient), for the check before each read; store_status lists the waiting patients.
-- Grain: one row.
-- Parameters: none
with waiting as (
    select exists (from metric_store_pending) as any_patient
),

final as (
    select
        state.horizon,
        state.everyone_pending or waiting.any_patient as pending
    from metric_store_state as state
    cross join waiting
)

select * from final
