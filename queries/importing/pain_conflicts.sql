-- Returns: incoming pain scores (typed_rows) for a patient, date and time of day that already has stored
--          scores, none of them equal to the incoming one, with the stored scores and their entry ids.
-- Grain: one row per conflicting incoming line.
-- Parameters: none

-- typed_rows is read where it is used, not through a CTE of its own: a CTE read twice is materialised, which
-- would type every incoming row before knowing whether anything is stored for its patients. When nothing is
-- (a first import), the join below has nothing to probe and stops after the first rows.
with stored as (
    select
        patient_id,
        date,
        time_of_day,
        list(pain order by pain) as stored_scores,
        list(entry_id order by entry_id) as stored_entry_ids
    from pain_entries
    where patient_id in (select patient_id from typed_rows)
    group by patient_id, date, time_of_day
),

final as (
    select
        incoming.line,
        incoming.patient_id,
        incoming.date,
        incoming.time_of_day,
        incoming.pain,
        stored.stored_scores,
        stored.stored_entry_ids
    from typed_rows as incoming
    inner join stored
        on incoming.patient_id = stored.patient_id
        and incoming.date = stored.date
        and incoming.time_of_day = stored.time_of_day
    where not list_contains(stored.stored_scores, incoming.pain)
    order by incoming.line
)

select * from final
