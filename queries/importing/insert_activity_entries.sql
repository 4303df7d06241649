-- Returns: the number of activities inserted from typed_rows. Rows identical to stored ones are skipped,
--          counting copies: an activity logged twice is two entries, and re-importing it adds none.
-- Grain: one row per inserted activity.
-- Parameters: $import_id
insert into activity_entries (patient_id, date, activity, duration_min, rpe, pain_during, note, import_id)
with incoming as (
    select
        *,
        row_number() over (
            partition by patient_id, date, activity, duration_min, rpe, pain_during, note order by line
        ) as occurrence
    from typed_rows
),

stored as (
    select patient_id, date, activity, duration_min, rpe, pain_during, note, count(*) as stored_copies
    from activity_entries
    where patient_id in (select patient_id from incoming)
    group by all
),

final as (
    select
        incoming.patient_id,
        incoming.date,
        incoming.activity,
        incoming.duration_min,
        incoming.rpe,
        incoming.pain_during,
        incoming.note,
        $import_id as import_id
    from incoming
    left join stored
        on incoming.patient_id = stored.patient_id
        and incoming.date = stored.date
        and incoming.activity = stored.activity
        and incoming.duration_min = stored.duration_min
        and incoming.rpe is not distinct from stored.rpe
        and incoming.pain_during is not distinct from stored.pain_during
        and incoming.note is not distinct from stored.note
    where incoming.occurrence > coalesce(stored.stored_copies, 0)
    order by incoming.line
)

select * from final
