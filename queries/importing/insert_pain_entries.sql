-- Returns: the number of pain scores inserted from typed_rows. Rows identical to stored ones are skipped,
--          counting copies: a line repeated twice is two entries, and re-importing it adds none.
-- Grain: one row per inserted score.
-- Parameters: $import_id
insert into pain_entries (patient_id, date, time_of_day, pain, note, import_id)
with incoming as (
    select * from typed_rows
),

stored as (
    select patient_id, date, time_of_day, pain, note, count(*) as stored_copies
    from pain_entries
    where patient_id in (select patient_id from incoming)
    group by all
),

matched as (
    select
        incoming.line,
        incoming.patient_id,
        incoming.date,
        incoming.time_of_day,
        incoming.pain,
        incoming.note,
        stored.stored_copies
    from incoming
    left join stored
        on incoming.patient_id = stored.patient_id
        and incoming.date = stored.date
        and incoming.time_of_day = stored.time_of_day
        and incoming.pain = stored.pain
        and incoming.note is not distinct from stored.note
),

-- Only lines equal to a stored entry need numbering among their copies (a line repeated twice is two
-- entries); every other line is new, which spares a first import a window over all its rows.
repeated as (
    select
        *,
        row_number() over (
            partition by patient_id, date, time_of_day, pain, note order by line
        ) as occurrence
    from matched
    where stored_copies is not null
),

final as (
    select
        patient_id,
        date,
        time_of_day,
        pain,
        note,
        $import_id as import_id
    from (
        select * exclude (stored_copies) from matched where stored_copies is null
        union all by name
        select * exclude (stored_copies, occurrence) from repeated where occurrence > stored_copies
    )
    -- Date order lets the metrics' date filters skip row groups by their zone maps.
    order by date, line
)

select * from final
