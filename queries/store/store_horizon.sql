-- Returns: the last day the maintained metrics reach (null: never filled).
-- Grain: one value.
-- Parameters: none
with final as (
    select horizon from metric_store_state
)

select * from final
