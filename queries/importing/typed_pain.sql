-- Returns: the validated staged pain rows (staged_rows) as typed values; notes are kept as written.
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
        lower(blank_to_null(time_of_day)) as time_of_day,
        cast(blank_to_null(pain) as decimal(3, 1)) as pain,
        nullif(note, '') as note
    from staged
)

select * from final
