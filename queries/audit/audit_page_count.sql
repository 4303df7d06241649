-- Returns: how many audit entries the audit trail page's filters match (for its paging).
-- Grain: one row.
-- Parameters: $date_from (date, may be null), $date_to (date, may be null), $actor (may be null),
--             $patient_id (may be null), $action (may be null)
with logged as (
    select
        cast(timezone('UTC', occurred_at) as date) as utc_day,
        actor,
        action,
        patient_id
    from audit_log
),

filtered as (
    select * from logged
    where (cast($date_from as date) is null or utc_day >= cast($date_from as date))
        and (cast($date_to as date) is null or utc_day <= cast($date_to as date))
        and (cast($actor as varchar) is null or actor = cast($actor as varchar))
        and (cast($patient_id as varchar) is null or patient_id = cast($patient_id as varchar))
        and (cast($action as varchar) is null or action = cast($action as varchar))
),

final as (
    select count(*) as entries from filtered
)

select * from final
