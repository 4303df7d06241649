-- Returns: the number of exercise lines inserted from typed_rows. Rows identical to stored ones are
--          skipped, counting copies: a set logged twice is two entries, and re-importing it adds none.
-- Grain: one row per inserted exercise line.
-- Parameters: $import_id
insert into exercise_entries (
    patient_id, date, exercise, stage, sets, reps, hold_s, load_kg, pain_during, note, import_id
)
-- Every CTE is read once, so DuckDB streams typed_rows instead of materialising the whole sheet; on a
-- first import no entry is stored for its patients and the joins against `stored` cost next to nothing.
with stored as (
    select
        patient_id, date, exercise, stage, sets, reps, hold_s, load_kg, pain_during, note,
        count(*) as stored_copies
    from exercise_entries
    where patient_id in (select patient_id from typed_rows)
    group by all
),

-- Only lines equal to a stored entry need numbering among their copies (a line repeated twice is two
-- entries): the first stored_copies of them are already stored and skipped, the rest are new.
skipped as (
    select line
    from (
        select
            incoming.line,
            stored.stored_copies,
            row_number() over (
                partition by
                    incoming.patient_id, incoming.date, incoming.exercise, incoming.stage, incoming.sets,
                    incoming.reps, incoming.hold_s, incoming.load_kg, incoming.pain_during, incoming.note
                order by incoming.line
            ) as occurrence
        from typed_rows as incoming
        inner join stored
            on incoming.patient_id = stored.patient_id
            and incoming.date = stored.date
            and incoming.exercise = stored.exercise
            and incoming.stage is not distinct from stored.stage
            and incoming.sets = stored.sets
            and incoming.reps = stored.reps
            and incoming.hold_s is not distinct from stored.hold_s
            and incoming.load_kg is not distinct from stored.load_kg
            and incoming.pain_during is not distinct from stored.pain_during
            and incoming.note is not distinct from stored.note
    )
    where occurrence <= stored_copies
),

final as (
    select
        patient_id,
        date,
        exercise,
        stage,
        sets,
        reps,
        hold_s,
        load_kg,
        pain_during,
        note,
        $import_id as import_id
    from typed_rows as incoming
    where not exists (select 1 from skipped where skipped.line = incoming.line)
    -- Date order lets the metrics' date filters skip row groups by their zone maps.
    order by date, line
)

select * from final
