-- Returns: the validated staged activity rows (staged_rows) as typed values; notes are kept as written.
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
        blank_to_null(activity) as activity,
        cast(blank_to_null(duration_min) as double) as duration_min,
        cast(blank_to_null(rpe) as decimal(3, 1)) as rpe,
        cast(blank_to_null(pain_during) as decimal(3, 1)) as pain_during,
        nullif(note, '') as note
    from staged
)

select * from final
