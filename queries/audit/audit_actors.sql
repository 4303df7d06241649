-- Returns: every name the audit trail records as an actor (accounts, cli, typed unknown names), for a filter.
-- Grain: one row per distinct actor.
-- Parameters: none
with actors as (
    select distinct actor from audit_log
),

final as (
    select actor from actors
    order by actor
)

select * from final
