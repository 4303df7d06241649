-- Returns: the audit trail, oldest first, filtered by UTC day range, actor and patient (each filter optional).
-- Grain: one row per recorded action.
-- Parameters: $date_from (date, may be null), $date_to (date, may be null), $actor (may be null),
--             $patient_id (may be null)
with logged as (
    select
        audit_id,
        occurred_at,
        cast(timezone('UTC', occurred_at) as date) as utc_day,
        actor,
        action,
        patient_id,
        detail
    from audit_log
),

filtered as (
    select * from logged
    where (cast($date_from as date) is null or utc_day >= cast($date_from as date))
        and (cast($date_to as date) is null or utc_day <= cast($date_to as date))
        and (cast($actor as varchar) is null or actor = cast($actor as varchar))
        and (cast($patient_id as varchar) is null or patient_id = cast($patient_id as varchar))
),

final as (
    select audit_id, occurred_at, actor, action, patient_id, detail
    from filtered
    order by occurred_at, audit_id
)

select * from final
