-- Returns: one page of the audit trail, newest first, filtered by UTC day range, actor, patient and action
--          (each filter optional), with the actor's clinician name when the actor is a clinician account.
-- Grain: one row per recorded action.
-- Parameters: $date_from (date, may be null), $date_to (date, may be null), $actor (may be null),
--             $patient_id (may be null), $action (may be null), $limit (rows per page), $offset (rows skipped)
with logged as (
    select
        audit_log.audit_id,
        audit_log.occurred_at,
        cast(timezone('UTC', audit_log.occurred_at) as date) as utc_day,
        audit_log.actor,
        users.clinician as actor_name,
        audit_log.action,
        audit_log.patient_id,
        audit_log.detail
    from audit_log
    left join users on users.username = audit_log.actor
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
    select audit_id, occurred_at, actor, actor_name, action, patient_id, detail
    from filtered
    order by occurred_at desc, audit_id desc
    limit cast($limit as bigint)
    offset cast($offset as bigint)
)

select * from final
