-- Returns: the validated staged exercise rows (staged_rows) as typed values; notes are kept as written.
-- Grain: one row per line of the sheet.
-- Parameters: none
with staged as (
    select * from staged_rows
),

final as (
    select
        line,
        blank_to_null(patient_id) as patient_id,
        cast(blank_to_null(date) as date) as date,
        blank_to_null(exercise) as exercise,
        lower(blank_to_null(stage)) as stage,
        cast(cast(blank_to_null(sets) as double) as integer) as sets,
        cast(cast(blank_to_null(reps) as double) as integer) as reps,
        cast(blank_to_null(hold_s) as double) as hold_s,
        cast(blank_to_null(load_kg) as double) as load_kg,
        cast(blank_to_null(pain_during) as decimal(3, 1)) as pain_during,
        nullif(note, '') as note
    from staged
)

select * from final
